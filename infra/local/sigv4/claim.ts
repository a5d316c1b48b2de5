// What a SigV4 request claims about itself (who signed, when, for which scope, over which headers), read from
// the Authorization header or the presigned query, with S3's error for each way the claim is malformed.
import { algorithm } from "./canonical.ts";

export type SignatureErrorCode =
  | "AccessDenied"
  | "SignatureDoesNotMatch"
  | "InvalidAccessKeyId"
  | "AuthorizationHeaderMalformed"
  | "AuthorizationQueryParametersError"
  | "RequestTimeTooSkewed"
  | "InvalidArgument"
  | "InvalidRequest";

export interface SignatureFailure {
  ok: false;
  code: SignatureErrorCode;
  message: string;
  /** Extra elements S3 puts in its error document, e.g. StringToSign, HeadersNotSigned. */
  detail?: Record<string, string>;
}

export const maxPresignedExpirySeconds = 604_800;

export const fail = (
  code: SignatureErrorCode,
  message: string,
  detail?: Record<string, string>,
): SignatureFailure => (detail ? { ok: false, code, message, detail } : { ok: false, code, message });

export const malformedHeader = (message: string) =>
  fail("AuthorizationHeaderMalformed", `The authorization header is malformed; ${message}`);

export const malformedQuery = (message: string) => fail("AuthorizationQueryParametersError", message);

export interface Credential {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

export interface Claim {
  form: "header" | "query";
  credential: Credential;
  signedHeaders: ReadonlySet<string>;
  signature: string;
  longDate: string;
  time: number;
  expiresSeconds?: number;
}

/** Parses an X-Amz-Date / x-amz-date value (basic ISO 8601, UTC). */
export function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const time = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
  return Number.isNaN(time) ? undefined : time;
}

/** "<access key>/<yyyymmdd>/<region>/<service>/aws4_request" */
export function parseCredential(value: string): Credential | undefined {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  const [accessKeyId, shortDate, region, service] = parts;
  if (!accessKeyId || !shortDate || !region || !service) return undefined;
  return { accessKeyId, shortDate, region, service };
}

const credentialShape = `expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`;

export function headerClaim(
  authorization: string,
  headers: Readonly<Record<string, string | undefined>>,
): Claim | SignatureFailure {
  const space = authorization.indexOf(" ");
  const named = space < 0 ? authorization : authorization.slice(0, space);
  if (named !== algorithm) return fail("InvalidArgument", `Unsupported Authorization Type: ${named}`);
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(",")) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf("=");
    if (equals > 0) fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  const credentialField = fields.get("Credential");
  const signedHeadersField = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credentialField === undefined || signedHeadersField === undefined || signature === undefined) {
    return malformedHeader("it must carry Credential, SignedHeaders and Signature.");
  }
  const credential = parseCredential(credentialField);
  if (!credential) return malformedHeader(`the Credential is mal-formed; ${credentialShape}`);
  const longDate = headers["x-amz-date"];
  const time = longDate === undefined ? undefined : parseAmzDate(longDate);
  if (longDate === undefined || time === undefined) {
    return fail("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  return {
    form: "header",
    credential,
    signedHeaders: new Set(signedHeadersField.split(";")),
    signature,
    longDate,
    time,
  };
}

export function queryClaim(query: URLSearchParams): Claim | SignatureFailure {
  if (query.get("X-Amz-Algorithm") !== algorithm) {
    return malformedQuery(`X-Amz-Algorithm only supports "${algorithm}"`);
  }
  const credentialField = query.get("X-Amz-Credential");
  const longDate = query.get("X-Amz-Date");
  const expires = query.get("X-Amz-Expires");
  const signedHeadersField = query.get("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature");
  if (
    credentialField === null ||
    longDate === null ||
    expires === null ||
    signedHeadersField === null ||
    signature === null
  ) {
    return malformedQuery(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const credential = parseCredential(credentialField);
  if (!credential) {
    return malformedQuery(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; ${credentialShape}`,
    );
  }
  const time = parseAmzDate(longDate);
  if (time === undefined) {
    return malformedQuery("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  if (!/^\d+$/.test(expires)) return malformedQuery("X-Amz-Expires should be a number");
  const expiresSeconds = Number(expires);
  if (expiresSeconds > maxPresignedExpirySeconds) {
    return malformedQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  return {
    form: "query",
    credential,
    signedHeaders: new Set(signedHeadersField.split(";")),
    signature,
    longDate,
    time,
    expiresSeconds,
  };
}

/** Decodes a query string the way the SDK encoded it ("+" is a space only in form encoding); repeats kept in order. */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(raw)) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}
