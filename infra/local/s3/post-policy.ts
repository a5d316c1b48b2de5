// S3's POST policy: the base64 JSON document a browser form carries, and whether a form's fields keep it.
// Rules: S3 API Reference, "Creating a POST policy" (expiration, condition matching, which fields need one).

export type PolicyCondition =
  | { kind: "eq" | "starts-with"; field: string; value: string; text: string }
  | { kind: "content-length-range"; min: number; max: number; text: string };

export interface PostPolicy {
  expiration: number;
  conditions: PolicyCondition[];
}

export type PolicyVerdict =
  | { ok: true; sizeRange: { min: number; max: number } | undefined }
  | { ok: false; code: "AccessDenied"; message: string };

/** Fields every form may carry without a condition naming them. */
const exempt = new Set(["policy", "x-amz-signature", "file"]);

/** Condition field names are written "$name"; form field names compare case-insensitively. */
const fieldName = (raw: string) => raw.replace(/^\$/, "").toLowerCase();

const conditionText = (parts: readonly unknown[]) =>
  `[${parts.map((part) => JSON.stringify(part)).join(", ")}]`;

function conditionOf(raw: unknown): PolicyCondition | string {
  if (Array.isArray(raw)) {
    const [operator, first, second] = raw as unknown[];
    if (raw.length !== 3 || typeof operator !== "string")
      return "Invalid condition: wrong number of arguments";
    const text = conditionText(raw);
    if (operator.toLowerCase() === "content-length-range") {
      const min = Number(first);
      const max = Number(second);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        return "Invalid content-length-range: it takes two non-negative integers, the smaller first";
      }
      return { kind: "content-length-range", min, max, text };
    }
    const kind = operator.toLowerCase();
    if (
      (kind !== "eq" && kind !== "starts-with") ||
      typeof first !== "string" ||
      typeof second !== "string"
    ) {
      return `Invalid condition: unknown operation ${JSON.stringify(operator)}`;
    }
    if (!first.startsWith("$")) return `Invalid condition: the field name must start with "$"`;
    return { kind, field: fieldName(first), value: second, text };
  }
  if (typeof raw === "object" && raw !== null) {
    const entries = Object.entries(raw);
    const [entry] = entries;
    if (entries.length !== 1 || !entry || typeof entry[1] !== "string") return "Invalid simple condition";
    const [name, value] = entry;
    return { kind: "eq", field: fieldName(name), value, text: conditionText(["eq", `$${name}`, value]) };
  }
  return "Invalid condition";
}

/** Decodes and checks a policy document's shape; a string names what is wrong with it. */
export function parsePostPolicy(base64: string): PostPolicy | string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return "Invalid Policy: Invalid Base64 encoding.";
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    return "Invalid Policy: Invalid JSON.";
  }
  if (typeof document !== "object" || document === null) return "Invalid Policy: Invalid JSON.";
  const { expiration, conditions } = document as Record<string, unknown>;
  const expires = typeof expiration === "string" ? Date.parse(expiration) : Number.NaN;
  if (typeof expiration !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(expiration) || Number.isNaN(expires)) {
    return "Invalid Policy: Invalid 'expiration' value: it must be an ISO 8601 date and time.";
  }
  if (!Array.isArray(conditions)) return "Invalid Policy: Invalid 'conditions' value: it must be a list.";
  const parsed: PolicyCondition[] = [];
  for (const raw of conditions) {
    const condition = conditionOf(raw);
    if (typeof condition === "string") return `Invalid Policy: ${condition}`;
    parsed.push(condition);
  }
  return { expiration: expires, conditions: parsed };
}

function holds(condition: Extract<PolicyCondition, { field: string }>, value: string): boolean {
  if (condition.kind === "eq") return value === condition.value;
  // A Content-Type may list several types; each must start with the prefix.
  if (condition.field === "content-type") {
    return value.split(",").every((part) => part.trim().startsWith(condition.value));
  }
  return value.startsWith(condition.value);
}

/**
 * Checks the form's fields (lower-case names, the file excluded) against the policy at `now`. The bucket is
 * the one the form was posted to. The size range, if any, is returned for the caller to hold the file to.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  now: number,
): PolicyVerdict {
  if (now > policy.expiration) {
    return { ok: false, code: "AccessDenied", message: "Invalid according to Policy: Policy expired." };
  }
  const fieldValue = (name: string) => (name === "bucket" ? bucket : (fields.get(name) ?? ""));
  let sizeRange: { min: number; max: number } | undefined;
  const covered = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === "content-length-range") {
      sizeRange = { min: condition.min, max: condition.max };
      continue;
    }
    covered.add(condition.field);
    if (!holds(condition, fieldValue(condition.field))) {
      return {
        ok: false,
        code: "AccessDenied",
        message: `Invalid according to Policy: Policy Condition failed: ${condition.text}`,
      };
    }
  }
  const extra = [...fields.keys()].filter(
    (name) => !exempt.has(name) && !name.startsWith("x-ignore-") && !covered.has(name),
  );
  if (extra.length > 0) {
    return {
      ok: false,
      code: "AccessDenied",
      message: `Invalid according to Policy: Extra input fields: ${extra.join(", ")}`,
    };
  }
  return { ok: true, sizeRange };
}
