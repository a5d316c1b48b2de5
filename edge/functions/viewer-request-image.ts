// Viewer request (cloudfront-js-2.0) on /img/*: `?w=` is snapped to an allowlisted width and the format
// chosen from Accept, and both are written into the URI (/img/<key>/w<width>.<format>), so the cache key
// (URI only, see the images cache policy) holds neither a raw Accept nor a free-form query. Without `w`
// the original is asked for. A path outside the image key alphabet is refused here, before any origin.
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
} from "../aws/cloudfront-function-event.ts";
import { formatFromAccept, isImagePath, snapWidth, variantPath } from "../image-variants.ts";

export function handler(
  event: CloudFrontFunctionEvent,
): CloudFrontFunctionRequest | CloudFrontFunctionResponse {
  const request = event.request;
  if (!isImagePath(request.uri))
    return {
      statusCode: 400,
      statusDescription: "Bad Request",
      headers: {
        "content-type": { value: "text/plain; charset=utf-8" },
        "cache-control": { value: "no-store" },
      },
      body: "An image path is /img/ and segments of letters, digits, '_', '-' and '.', none starting with '.'.\n",
    };
  const query = typeof request.querystring === "string" ? {} : request.querystring;
  const width = query.w;
  if (width) {
    const accept = request.headers.accept;
    const format = formatFromAccept(accept ? accept.value : "");
    request.uri = variantPath(request.uri, snapWidth(width.value), format);
  }
  request.querystring = {};
  return request;
}
