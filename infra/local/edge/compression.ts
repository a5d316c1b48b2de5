// CloudFront's automatic compression: which responses it compresses and how, as pure functions.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/ServingCompressedFiles.html
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { headerValue } from "./edge-cache.ts";

const compressibleTypes = [
  /^text\//,
  /^application\/(javascript|x-javascript|json|ld\+json|manifest\+json|xml|xhtml\+xml|rss\+xml|atom\+xml|wasm)\b/,
  /^image\/(svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)\b/,
  /^font\/(ttf|otf|eot)\b/,
];

/** CloudFront compresses objects from 1,000 to 10,000,000 bytes that the origin did not compress. */
export function isCompressible(
  status: number,
  headers: readonly (readonly [string, string])[],
  size: number,
): boolean {
  if (status !== 200 || size < 1000 || size > 10_000_000) return false;
  if (headerValue(headers, "content-encoding")) return false;
  if (/no-transform/i.test(headerValue(headers, "cache-control") ?? "")) return false;
  const type = headerValue(headers, "content-type")?.toLowerCase() ?? "";
  return compressibleTypes.some((pattern) => pattern.test(type));
}

export function compress(
  encoding: "br" | "gzip",
  headers: readonly (readonly [string, string])[],
  body: Buffer,
): { headers: [string, string][]; body: Buffer } {
  const compressed =
    encoding === "br"
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : gzipSync(body, { level: 6 });
  const kept = headers
    .filter(([name]) => !/^(content-length|etag|vary)$/i.test(name))
    .map(([n, v]) => [n, v] as [string, string]);
  const etag = headerValue(headers, "etag");
  const vary = headerValue(headers, "vary");
  return {
    headers: [
      ...kept,
      ["Content-Encoding", encoding],
      ["Vary", vary ? `${vary}, Accept-Encoding` : "Accept-Encoding"],
      // A compressed copy is not byte-identical to the origin's object: its validator becomes weak.
      ...(etag ? [["ETag", etag.startsWith("W/") ? etag : `W/${etag}`] as [string, string]] : []),
    ],
    body: compressed,
  };
}
