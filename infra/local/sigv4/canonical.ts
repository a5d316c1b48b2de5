// SigV4's canonical request, string to sign and signing key, built in linear time from the request as it arrived.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const algorithm = "AWS4-HMAC-SHA256";

export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

export function hmac(key: string | Uint8Array, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}

export function hmacHex(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/** Compares two signatures without leaking where they first differ. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(provided, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key derived from the secret for one day, region and service ("Deriving a signing key"). */
export function signingKey(
  secretAccessKey: string,
  shortDate: string,
  region: string,
  service: string,
): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, shortDate);
  return hmac(hmac(hmac(dateKey, region), service), "aws4_request");
}

export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/aws4_request`;
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, "/" included. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical URI. S3 signs the path exactly as sent; every other service signs it with empty and dot
 * segments removed and encoded a second time.
 */
export function canonicalPath(path: string, uriEscapePath: boolean): string {
  if (!uriEscapePath) return path;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const leading = path.startsWith("/") ? "/" : "";
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return escapeUri(`${leading}${segments.join("/")}${trailing}`).replaceAll("%2F", "/");
}

/**
 * The canonical query: parameters decoded, encoded again, sorted by name and then by value; the signature
 * itself left out. Names are grouped first, so thousands of repeats of one name stay linear before the sort.
 */
export function canonicalQuery(rawQuery: string): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    if (name.toLowerCase() === "x-amz-signature") continue;
    const encodedName = escapeUri(name);
    const pair = `${encodedName}=${escapeUri(value)}`;
    const pairs = byName.get(encodedName);
    if (pairs) pairs.push(pair);
    else byName.set(encodedName, [pair]);
  }
  const names = [...byName.keys()].sort();
  const parts: string[] = [];
  for (const name of names) for (const pair of (byName.get(name) ?? []).sort()) parts.push(pair);
  return parts.join("&");
}

/** A header value as signed: line breaks become spaces, runs of blanks one space, the ends trimmed. */
function canonicalHeaderValue(value: string): string {
  return value
    .replace(/[\r\n]/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
}

export interface CanonicalInput {
  method: string;
  path: string;
  rawQuery: string;
  /** Lower-case names; a header sent more than once joined with ",". */
  headers: Readonly<Record<string, string | undefined>>;
  /** The names the client said it signed, in any order. */
  signedHeaders: ReadonlySet<string>;
  payloadHash: string;
  uriEscapePath: boolean;
}

export function canonicalRequest(input: CanonicalInput): string {
  const names = [...input.signedHeaders].sort();
  const headerLines = names.map((name) => `${name}:${canonicalHeaderValue(input.headers[name] ?? "")}\n`);
  return [
    input.method,
    canonicalPath(input.path, input.uriEscapePath),
    canonicalQuery(input.rawQuery),
    headerLines.join(""),
    names.join(";"),
    input.payloadHash,
  ].join("\n");
}

export function stringToSign(longDate: string, scope: string, canonical: string): string {
  return [algorithm, longDate, scope, sha256Hex(canonical)].join("\n");
}
