// Origin response (Lambda@Edge) on the site behaviours: a page the site bucket does not have answers with
// the site's own 404 page and status 404, instead of S3's XML error (403 through OAC without
// s3:ListBucket, 404 with it) that names the bucket. A distribution-wide custom error response would also
// replace the API's JSON errors, so the rule lives on the site behaviours only.
import type { CloudFrontLambdaEvent, CloudFrontLambdaResponse } from "../aws/lambda-edge-event.ts";
import { errorCachingSeconds } from "../distribution.ts";

/** The built site's 404.html, baked in by the edge build (esbuild `define`). */
declare const __SITE_NOT_FOUND_PAGE__: string;

const missing = new Set(["403", "404"]);

/** The response for a site origin answer: unchanged unless the page is missing. */
export function siteNotFoundResponse(
  response: CloudFrontLambdaResponse,
  page: string,
): CloudFrontLambdaResponse {
  if (!missing.has(response.status)) return response;
  return {
    status: "404",
    statusDescription: "Not Found",
    headers: {
      "content-type": [{ key: "Content-Type", value: "text/html; charset=utf-8" }],
      // Cached like any error, for CloudFront's default error-caching time, so a page published later shows.
      "cache-control": [{ key: "Cache-Control", value: `public, max-age=${errorCachingSeconds}` }],
    },
    body: page,
    bodyEncoding: "text",
  };
}

export async function handler(event: CloudFrontLambdaEvent): Promise<CloudFrontLambdaResponse> {
  const response = event.Records[0].cf.response;
  if (!response) throw new Error("site-not-found runs on origin-response events only");
  return siteNotFoundResponse(response, __SITE_NOT_FOUND_PAGE__);
}
