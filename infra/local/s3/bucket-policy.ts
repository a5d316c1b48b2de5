// Bucket policies: the JSON document checked as S3 checks it on PutBucketPolicy, and the small part of IAM
// evaluation the stand-in needs (Allow/Deny, principals, wildcard actions and resources, source conditions).
// Rules: IAM User Guide, "Policy evaluation logic" (an explicit Deny wins) and "IAM JSON policy elements".

/** S3 refuses bucket policies over 20 KB (S3 User Guide, "Bucket policies"). */
export const maxPolicyBytes = 20 * 1024;

export interface Principal {
  /** "*" (anyone), an account id or an IAM ARN. */
  aws: readonly string[];
  service: readonly string[];
  anyone: boolean;
}

type ConditionOperator = "StringEquals" | "StringLike" | "ArnEquals" | "ArnLike";
const conditionOperators = new Set<string>(["StringEquals", "StringLike", "ArnEquals", "ArnLike"]);

export interface Statement {
  effect: "Allow" | "Deny";
  principal: Principal;
  actions: readonly string[];
  resources: readonly string[];
  /** Every operator, and every key within it, must hold; any listed value of a key may match. */
  conditions: readonly { operator: ConditionOperator; key: string; values: readonly string[] }[];
}

export interface BucketPolicy {
  statements: readonly Statement[];
}

/** Who is asking, as a policy sees it. */
export interface Requester {
  accountId?: string;
  service?: string;
  /** Condition keys in lower case, e.g. "aws:sourcearn". */
  context: Readonly<Record<string, string>>;
}

export type PolicyParse = { ok: true; policy: BucketPolicy } | { ok: false; message: string };

const list = (value: unknown): string[] | undefined => {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string"))
    return value;
  return undefined;
};

function principalOf(value: unknown): Principal | string {
  if (value === "*") return { aws: [], service: [], anyone: true };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "Invalid principal in policy";
  const entries = Object.entries(value);
  const aws: string[] = [];
  const service: string[] = [];
  for (const [kind, names] of entries) {
    const values = list(names);
    if (!values) return "Invalid principal in policy";
    if (kind === "AWS") aws.push(...values);
    else if (kind === "Service") service.push(...values);
    else return `Invalid principal in policy: the stand-in knows AWS and Service principals, not ${kind}`;
  }
  return { aws, service, anyone: aws.includes("*") };
}

function statementOf(value: unknown, bucket: string): Statement | string {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "Statement is not an object";
  const raw = value as Record<string, unknown>;
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") return "Invalid effect: it must be Allow or Deny";
  if (raw.NotPrincipal !== undefined || raw.NotAction !== undefined || raw.NotResource !== undefined) {
    return "NotPrincipal, NotAction and NotResource are not supported by the stand-in";
  }
  const principal = principalOf(raw.Principal);
  if (typeof principal === "string") return principal;
  const actions = list(raw.Action);
  if (!actions || actions.some((action) => action !== "*" && !/^s3:[A-Za-z*?]+$/.test(action))) {
    return "Policy has invalid action";
  }
  const resources = list(raw.Resource);
  const ownArn = `arn:aws:s3:::${bucket}`;
  // S3 only takes resources inside the bucket the policy is put on.
  if (!resources || resources.some((resource) => resource !== ownArn && !resource.startsWith(`${ownArn}/`))) {
    return "Policy has invalid resource";
  }
  const conditions: Statement["conditions"][number][] = [];
  if (raw.Condition !== undefined) {
    if (typeof raw.Condition !== "object" || raw.Condition === null) return "Invalid Condition block";
    for (const [operator, keys] of Object.entries(raw.Condition)) {
      if (!conditionOperators.has(operator)) {
        return `The stand-in does not evaluate the condition operator ${operator}`;
      }
      if (typeof keys !== "object" || keys === null) return `Invalid ${operator} condition`;
      for (const [key, values] of Object.entries(keys)) {
        const texts = list(values);
        if (!texts) return `Invalid value for condition key ${key}`;
        conditions.push({ operator: operator as ConditionOperator, key: key.toLowerCase(), values: texts });
      }
    }
  }
  return { effect: raw.Effect, principal, actions, resources, conditions };
}

/** Reads a policy document put on `bucket`; the message names the first problem, as S3's MalformedPolicy does. */
export function parseBucketPolicy(text: string, bucket: string): PolicyParse {
  if (Buffer.byteLength(text) > maxPolicyBytes)
    return { ok: false, message: "Policies must be 20 KB or smaller" };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, message: "This policy contains invalid Json" };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, message: "This policy contains invalid Json" };
  }
  const { Version, Statement } = document as Record<string, unknown>;
  if (Version !== undefined && Version !== "2012-10-17" && Version !== "2008-10-17") {
    return { ok: false, message: "The policy must contain a valid version string" };
  }
  const raw = Array.isArray(Statement) ? Statement : Statement === undefined ? [] : [Statement];
  if (raw.length === 0) return { ok: false, message: "Missing required field Statement" };
  const statements: Statement[] = [];
  for (const item of raw) {
    const statement = statementOf(item, bucket);
    if (typeof statement === "string") return { ok: false, message: statement };
    statements.push(statement);
  }
  return { ok: true, policy: { statements } };
}

/**
 * Matches IAM's wildcards: "*" any run of characters, "?" any one character. Greedy with one backtrack point,
 * so the work is bounded by the product of the two lengths, never exponential.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p += 1;
  return p === pattern.length;
}

/** ARN patterns match component by component (IAM: ArnLike, ArnEquals). */
function arnMatch(pattern: string, arn: string): boolean {
  const patternParts = pattern.split(":");
  const arnParts = arn.split(":");
  if (patternParts.length < 6 || arnParts.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(":")];
  const expected = head(patternParts);
  const actual = head(arnParts);
  return expected.every((part, index) => wildcardMatch(part, actual[index] ?? ""));
}

function conditionHolds(condition: Statement["conditions"][number], requester: Requester): boolean {
  const actual = requester.context[condition.key];
  if (actual === undefined) return false;
  return condition.values.some((value) => {
    if (condition.operator === "StringEquals") return value === actual;
    if (condition.operator === "StringLike") return wildcardMatch(value, actual);
    return arnMatch(value, actual);
  });
}

function principalMatches(principal: Principal, requester: Requester): boolean {
  if (principal.anyone) return true;
  if (requester.service !== undefined && principal.service.includes(requester.service)) return true;
  const account = requester.accountId;
  if (account === undefined) return false;
  return principal.aws.some((name) => name === account || name === `arn:aws:iam::${account}:root`);
}

function applies(statement: Statement, requester: Requester, action: string, resource: string): boolean {
  // Action names are case-insensitive in IAM; resources are not.
  const wanted = action.toLowerCase();
  return (
    principalMatches(statement.principal, requester) &&
    statement.actions.some((pattern) => wildcardMatch(pattern.toLowerCase(), wanted)) &&
    statement.resources.some((pattern) => wildcardMatch(pattern, resource)) &&
    statement.conditions.every((condition) => conditionHolds(condition, requester))
  );
}

/** The policy's say on one request: an explicit Deny wins over any Allow; silence is "none". */
export function policyDecision(
  policy: BucketPolicy | undefined,
  requester: Requester,
  action: string,
  resource: string,
): "allow" | "deny" | "none" {
  let decision: "allow" | "none" = "none";
  for (const statement of policy?.statements ?? []) {
    if (!applies(statement, requester, action, resource)) continue;
    if (statement.effect === "Deny") return "deny";
    decision = "allow";
  }
  return decision;
}
