// CloudFront's header rules for edge functions, once for CloudFront Functions, Lambda@Edge and the edge:
// which headers functions never see or set, which they may read but not change, and how names go out.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
// (aws-edge-facts.md A7).

export type EdgeEventType = "viewer-request" | "origin-request" | "origin-response" | "viewer-response";

// Disallowed: not exposed to functions, and a function that adds one fails validation (HTTP 502).
const disallowed =
  /^(connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|upgrade|x-accel-buffering|x-accel-charset|x-accel-limit-rate|x-accel-redirect|x-amz-cf-.*|x-amzn-auth|x-amzn-cf-billing|x-amzn-cf-id|x-amzn-cf-xff|x-amzn-errortype|x-amzn-fle-profile|x-amzn-header-count|x-amzn-header-order|x-amzn-lambda-integration-tag|x-amzn-requestid|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip)$/i;

const readOnly: Record<EdgeEventType, ReadonlySet<string>> = {
  "viewer-request": new Set(["content-length", "host", "transfer-encoding", "via"]),
  "origin-request": new Set([
    "accept-encoding",
    "content-length",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "transfer-encoding",
    "via",
  ]),
  "origin-response": new Set(["transfer-encoding", "via"]),
  "viewer-response": new Set(["warning", "via"]),
};

/** A header CloudFront keeps from every edge function: it is not in the event and cannot be added. */
export function isHiddenFromFunctions(name: string): boolean {
  return disallowed.test(name);
}

/** A header a function at this event may read but not add, change or remove. */
export function isReadOnlyHeader(eventType: EdgeEventType, name: string): boolean {
  return readOnly[eventType].has(name.toLowerCase());
}

/**
 * Why a function may not set this (lowercase) header at this event, or undefined when it may.
 * CloudFront-Viewer-* headers are added after viewer-request, so a viewer-request function cannot add
 * them (aws-edge-facts.md B3).
 */
export function headerRefusal(eventType: EdgeEventType, name: string): string | undefined {
  if (name !== name.toLowerCase()) return `header names must be lowercase: ${name}`;
  if (disallowed.test(name)) return `header ${name} cannot be added`;
  if (eventType === "viewer-request" && name.startsWith("cloudfront-viewer-"))
    return `header ${name} cannot be added in viewer-request`;
  return undefined;
}

/** Splits a response's headers into those functions see and those CloudFront passes on around them. */
export function splitHiddenHeaders(headers: readonly [string, string][]): {
  exposed: [string, string][];
  hidden: [string, string][];
} {
  const exposed: [string, string][] = [];
  const hidden: [string, string][] = [];
  for (const header of headers) (disallowed.test(header[0]) ? hidden : exposed).push(header);
  return { exposed, hidden };
}

// Headers CloudFront cannot add to origin requests as origin custom headers.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html
const notOriginCustomHeaders =
  /^(cache-control|connection|content-length|cookie|host|if-match|if-modified-since|if-none-match|if-range|if-unmodified-since|max-forwards|pragma|proxy-authorization|proxy-connection|range|request-range|te|trailer|transfer-encoding|upgrade|via|x-amz-.*|x-edge-.*|x-real-ip)$/i;

/** Whether an origin (or a function's origin override) may carry this header as a custom header. */
export function mayBeOriginCustomHeader(name: string): boolean {
  return !notOriginCustomHeaders.test(name);
}

/** CloudFront capitalises each hyphen-separated word of a function's header name on the way out. */
export function capitaliseHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}
