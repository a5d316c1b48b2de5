// CORS on S3's wire: the answer to a browser's preflight OPTIONS, and the Access-Control-* headers of an
// actual cross-origin request, from the first rule of the bucket's configuration that matches. Sources:
// S3 User Guide, "How does Amazon S3 evaluate the CORS configuration on a bucket?"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): the first CORSRule whose AllowedOrigin
// matches Origin, whose AllowedMethod holds the method (Access-Control-Request-Method on a preflight) and
// whose AllowedHeader entries cover every name in Access-Control-Request-Headers; S3 API Reference,
// "Appendix: OPTIONS object" (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html):
// Origin and Access-Control-Request-Method are required, a bucket without CORS answers 403. The 403's code
// AccessForbidden with Method and ResourceType, the 400 texts, Vary and Access-Control-Allow-Credentials are
// S3's answers as S3-compatible servers reproduce them (MinIO); ⚠️ not read in AWS's own pages.
import type { CorsRule } from "./cors-config.ts";
import { corsMethods } from "./cors-config.ts";
import { type S3Error, s3Error } from "./errors.ts";
import type { Reply } from "./request.ts";

/** True when `pattern`, holding at most one `*` (the configuration guarantees it), matches all of `text`. */
function wildcardMatch(pattern: string, text: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === text;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return text.length >= prefix.length + suffix.length && text.startsWith(prefix) && text.endsWith(suffix);
}

/** The names a preflight asks to send, lower case ("content-type, x-amz-date" → both). */
function requestedHeaders(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/** The first rule allowing `origin` to use `method`, sending `headers` (none are checked on an actual request). */
export function matchingRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[] = [],
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((allowed) => wildcardMatch(allowed, origin)) &&
      rule.allowedMethods.includes(method) &&
      headers.every((name) =>
        rule.allowedHeaders.some((allowed) => wildcardMatch(allowed.toLowerCase(), name)),
      ),
  );
}

/** Caches keep one answer per origin and per preflight question. */
const vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/** The headers a matching rule grants `origin`: its methods, exposed headers and preflight lifetime. */
function grantedHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes("*");
  return {
    "access-control-allow-origin": anyOrigin ? "*" : origin,
    "access-control-allow-methods": rule.allowedMethods.join(", "),
    ...(anyOrigin ? {} : { "access-control-allow-credentials": "true" }),
    ...(rule.exposeHeaders.length > 0
      ? { "access-control-expose-headers": rule.exposeHeaders.join(", ") }
      : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { "access-control-max-age": String(rule.maxAgeSeconds) }),
    vary,
  };
}

/** The answer to OPTIONS on a bucket or object: 200 with what the first matching rule allows, or S3's refusal. */
export function preflight(
  rules: readonly CorsRule[] | undefined,
  headers: Readonly<Record<string, string | undefined>>,
  resource: "BUCKET" | "OBJECT",
): Reply | S3Error {
  const origin = headers.origin;
  if (origin === undefined)
    return s3Error("BadRequest", "Insufficient information. Origin request header needed.");
  const method = headers["access-control-request-method"];
  if (method === undefined || !corsMethods.includes(method))
    return s3Error("BadRequest", `Invalid Access-Control-Request-Method: ${method ?? "null"}`);
  const detail = { Method: method, ResourceType: resource };
  if (rules === undefined)
    return s3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", detail);
  const asked = requestedHeaders(headers["access-control-request-headers"]);
  const rule = matchingRule(rules, origin, method, asked);
  if (!rule)
    return s3Error(
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      detail,
    );
  return {
    status: 200,
    headers: {
      ...grantedHeaders(rule, origin),
      ...(asked.length > 0 ? { "access-control-allow-headers": asked.join(", ") } : {}),
    },
  };
}

/**
 * The CORS headers of an actual request's answer, success or error alike (a browser reads neither without
 * them): empty when the request names no Origin or no rule allows its origin and method.
 */
export function actualRequestHeaders(
  rules: readonly CorsRule[] | undefined,
  origin: string | undefined,
  method: string,
): Record<string, string> {
  if (rules === undefined || origin === undefined) return {};
  const rule = matchingRule(rules, origin, method);
  return rule ? grantedHeaders(rule, origin) : {};
}
