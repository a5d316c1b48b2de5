// The rules of a CloudFront cache policy as pure functions: what goes into the cache key, and how long
// a response stays (origin Cache-Control/Expires clamped by the policy's min/default/max TTL).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
import type { CachePolicyDeclaration, ValueSelection } from "../../../edge/distribution.ts";
import { cookiePairs, queryPairs } from "./viewer-values.ts";

export interface CacheKeyInput {
  method: string;
  uri: string;
  /** Raw query string without "?". */
  rawQuery: string;
  /** Raw header pairs as the viewer (or the viewer-request function) sent them. */
  headers: readonly (readonly [string, string])[];
}

/** Methods whose responses CloudFront caches; HEAD is answered from the GET object. */
export function isCacheableMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

function selected(selection: ValueSelection, name: string): boolean {
  if (selection.behavior === "none") return false;
  if (selection.behavior === "all") return true;
  return selection.names.includes(name);
}

/** The normalised Accept-Encoding CloudFront keys on: br over gzip, only when the policy enables it. */
export function normalisedAcceptEncoding(
  policy: CachePolicyDeclaration,
  headers: readonly (readonly [string, string])[],
): "br" | "gzip" | "identity" {
  const accepted = headers
    .filter(([name]) => name.toLowerCase() === "accept-encoding")
    .flatMap(([, value]) => value.split(","))
    .map((token) => token.trim().split(";"))
    .filter(([, ...parameters]) => !parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter)))
    .map(([coding]) => coding?.trim().toLowerCase());
  if (policy.acceptEncoding.brotli && accepted.includes("br")) return "br";
  if (policy.acceptEncoding.gzip && accepted.includes("gzip")) return "gzip";
  return "identity";
}

/**
 * The cache key: the URI plus exactly the query strings, headers and cookies the policy names.
 * Values left out of the key never split the cache, so two viewers differing only in them share one object.
 */
export function cacheKey(policy: CachePolicyDeclaration, request: CacheKeyInput): string {
  const query = queryPairs(request.rawQuery).filter(([name]) => selected(policy.queryStrings, name));
  const headers =
    policy.headers.behavior === "none"
      ? []
      : policy.headers.names
          .map((name) => name.toLowerCase())
          .toSorted()
          .map((name) => [
            name,
            request.headers
              .filter(([header]) => header.toLowerCase() === name)
              .map(([, value]) => value)
              .join(","),
          ]);
  const cookies = cookiePairs(request.headers)
    .filter(([name]) => selected(policy.cookies, name))
    .toSorted(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    request.method === "OPTIONS" ? "OPTIONS" : "GET",
    request.uri,
    query,
    headers,
    cookies,
    normalisedAcceptEncoding(policy, request.headers),
  ]);
}

/**
 * What an invalidation path is compared with for a cache key: its URI and the query strings the key holds
 * ("If you configured CloudFront to forward query strings to your origin, you must include the query
 * strings when invalidating files"); headers, cookies and encodings are not part of it ("CloudFront
 * invalidates every cached version of the file regardless of its associated cookies / header values").
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html
 */
export function invalidationPathOf(key: string): string {
  const [, uri, query] = JSON.parse(key) as [string, string, [string, string][]];
  const search = query.map(([name, value]) => (value === "" ? name : `${name}=${value}`)).join("&");
  return search === "" ? uri : `${uri}?${search}`;
}

export interface CacheDirectives {
  maxAge?: number;
  sMaxAge?: number;
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  staleWhileRevalidate?: number;
  staleIfError?: number;
}

export function parseCacheControl(value: string | undefined): CacheDirectives {
  const directives: CacheDirectives = { noStore: false, noCache: false, private: false };
  for (const part of (value ?? "").split(",")) {
    const [rawName = "", rawValue] = part.trim().split("=", 2);
    const name = rawName.toLowerCase();
    const seconds = rawValue === undefined ? undefined : Number.parseInt(rawValue.replace(/"/g, ""), 10);
    const valid = seconds !== undefined && Number.isFinite(seconds) && seconds >= 0;
    if (name === "no-store") directives.noStore = true;
    else if (name === "no-cache") directives.noCache = true;
    else if (name === "private") directives.private = true;
    else if (name === "max-age" && valid) directives.maxAge = seconds;
    else if (name === "s-maxage" && valid) directives.sMaxAge = seconds;
    else if (name === "stale-while-revalidate" && valid) directives.staleWhileRevalidate = seconds;
    else if (name === "stale-if-error" && valid) directives.staleIfError = seconds;
  }
  return directives;
}

/** Statuses CloudFront caches by its error-caching rule (10 s unless the origin or an error page says otherwise). */
export const errorCachingStatuses = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
/** Statuses cached like a 200 when the TTL rules allow. */
const cacheableStatuses = new Set([200, 203, 204, 206, 300, 301, 410]);
/** Redirects cached only when the origin says how long. */
const explicitlyCacheableStatuses = new Set([302, 303, 307, 308]);

export interface ResponseForTtl {
  status: number;
  cacheControl?: string | undefined;
  expires?: string | undefined;
  /** The origin's Date header, against which Expires is measured; the edge clock when absent. */
  date?: string | undefined;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/**
 * How many seconds the edge keeps a response; 0 means it is not stored.
 * `errorCachingMinTtlSeconds` is the distribution's setting for the status (10 s by default).
 */
export function edgeTtlSeconds(
  policy: CachePolicyDeclaration,
  response: ResponseForTtl,
  nowMs: number,
  errorCachingMinTtlSeconds = 10,
): number {
  const directives = parseCacheControl(response.cacheControl);
  const explicit = directives.sMaxAge ?? directives.maxAge;
  if (errorCachingStatuses.has(response.status)) {
    if (directives.noStore || directives.private || directives.noCache) return 0;
    return explicit ?? errorCachingMinTtlSeconds;
  }
  if (policy.maxTtlSeconds === 0) return 0;
  const explicitlyCacheable = explicitlyCacheableStatuses.has(response.status);
  if (!cacheableStatuses.has(response.status) && !explicitlyCacheable) return 0;
  if (directives.noStore || directives.noCache || directives.private) return policy.minTtlSeconds;
  if (explicit !== undefined) return clamp(explicit, policy.minTtlSeconds, policy.maxTtlSeconds);
  if (response.expires !== undefined) {
    const expiresAt = Date.parse(response.expires);
    const base = response.date === undefined ? nowMs : Date.parse(response.date) || nowMs;
    // An unparseable Expires means "already expired" (RFC 9111 §5.3).
    const seconds = Number.isNaN(expiresAt) ? 0 : Math.max(0, Math.floor((expiresAt - base) / 1000));
    return clamp(seconds, policy.minTtlSeconds, policy.maxTtlSeconds);
  }
  if (explicitlyCacheable) return 0;
  return policy.defaultTtlSeconds;
}
