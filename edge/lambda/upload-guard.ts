// Origin request (Lambda@Edge) on POST /api/uploads: lets through only requests carrying the header the WAF
// CAPTCHA rule inserts, with the secret fixed at synth (edge/firewall.ts). A client can send that header
// itself, but not its value; WAF tokens cannot be checked outside WAF, so the inserted secret is the proof.
import { timingSafeEqual } from "node:crypto";
import type {
  CloudFrontLambdaEvent,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
} from "../aws/lambda-edge-event.ts";
import { insertedHeaderName, uploadCaptcha } from "../firewall.ts";

/** The value the CAPTCHA rule inserts, baked in by the edge build (Lambda@Edge has no environment). */
declare const __UPLOAD_CAPTCHA_SECRET__: string;

const headerName = insertedHeaderName(uploadCaptcha);

const sameSecret = (given: string, secret: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The request without the secret header when it carries the secret, else the JSON 405 the page acts on. */
export function guardUpload(
  request: CloudFrontLambdaRequest,
  secret: string,
): CloudFrontLambdaRequest | CloudFrontLambdaResponse {
  const given = request.headers[headerName]?.[0]?.value ?? "";
  if (secret.length > 0 && sameSecret(given, secret)) {
    // The origin needs the verdict, not the secret: it never reaches the API's logs.
    const { [headerName]: _, ...headers } = request.headers;
    return { ...request, headers };
  }
  return {
    status: "405",
    statusDescription: "Method Not Allowed",
    headers: {
      "content-type": [{ key: "Content-Type", value: "application/json" }],
      "cache-control": [{ key: "Cache-Control", value: "no-store" }],
      "x-amzn-waf-action": [{ key: "x-amzn-waf-action", value: "captcha" }],
    },
    body: JSON.stringify({
      error: {
        code: "captcha_required",
        message: "Solve the picture check first, then send the upload again.",
      },
    }),
    bodyEncoding: "text",
  };
}

export async function handler(
  event: CloudFrontLambdaEvent,
): Promise<CloudFrontLambdaRequest | CloudFrontLambdaResponse> {
  return guardUpload(event.Records[0].cf.request, __UPLOAD_CAPTCHA_SECRET__);
}
