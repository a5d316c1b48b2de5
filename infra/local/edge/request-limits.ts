// CloudFront's limits on a viewer request, checked before anything else runs. Over a size limit CloudFront
// answers 413 and closes the connection, and writes no standard-log line for it.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html (general quotas)

/** Maximum length of a URL (path and query), in bytes. */
export const maxUrlBytes = 8_192;
/** Maximum length of a request: URL plus headers (name, value, separators), not the body. */
export const maxRequestBytes = 20_480;
/** Maximum viewer request body the edge takes on; larger bodies get a 413. */
export const maxBodyBytes = 20 * 1024 * 1024;

export type LimitVerdict =
  | { ok: true }
  | { ok: false; status: 413 | 400; reason: string; closeConnection: boolean };

/** `rawHeaders` as node:http gives them: name, value, name, value… */
export function checkViewerRequest(rawUrl: string, rawHeaders: readonly string[]): LimitVerdict {
  const urlBytes = Buffer.byteLength(rawUrl, "latin1");
  if (urlBytes > maxUrlBytes)
    return {
      ok: false,
      status: 413,
      reason: `URL of ${urlBytes} bytes is over CloudFront's ${maxUrlBytes}`,
      closeConnection: true,
    };
  let requestBytes = urlBytes;
  let hosts = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] ?? "";
    requestBytes += name.length + (rawHeaders[index + 1] ?? "").length + 4;
    if (name.length === 4 && name.toLowerCase() === "host") hosts += 1;
  }
  if (requestBytes > maxRequestBytes)
    return {
      ok: false,
      status: 413,
      reason: `request line and headers of ${requestBytes} bytes are over CloudFront's ${maxRequestBytes}`,
      closeConnection: true,
    };
  // RFC 9112 §3.2: a request with more than one Host header field is answered 400.
  if (hosts > 1)
    return { ok: false, status: 400, reason: "more than one Host header", closeConnection: true };
  return { ok: true };
}
