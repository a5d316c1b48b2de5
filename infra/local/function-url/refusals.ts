// What a Lambda function URL with auth type AWS_IAM answers instead of invoking the function: the status,
// the x-amzn-ErrorType and the JSON body AWS sends, so a client (or the edge) sees what it would see in AWS.
import type { SignatureVerdict } from "../aws-signature.ts";

export interface Refusal {
  status: number;
  errorType?: string;
  body: Record<string, string>;
}

export type RefusalCause =
  | { kind: "signature"; verdict: Extract<SignatureVerdict, { ok: false }> }
  | { kind: "too-large" }
  | { kind: "throttled" }
  | { kind: "function-error" };

// Observed answers of AWS_IAM function URLs (the docs give only the status):
// unsigned: awsdocs/aws-lambda-developer-guide#494; mismatch: minorun365/html-share#4 (through OAC).
const forbidden =
  "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";
const mismatch =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

function signatureRefusal(verdict: Extract<SignatureVerdict, { ok: false }>): Refusal {
  switch (verdict.code) {
    case "AccessDenied":
      return { status: 403, errorType: "AccessDeniedException", body: { Message: forbidden } };
    case "SignatureDoesNotMatch":
      return { status: 403, errorType: "InvalidSignatureException", body: { message: mismatch } };
    case "InvalidAccessKeyId":
      return {
        status: 403,
        errorType: "UnrecognizedClientException",
        body: { message: "The security token included in the request is invalid." },
      };
    case "RequestTimeTooSkewed":
      return {
        status: 403,
        errorType: "InvalidSignatureException",
        body: { message: `Signature expired: ${verdict.message}` },
      };
    default:
      return { status: 403, errorType: "IncompleteSignatureException", body: { message: verdict.message } };
  }
}

export function refusal(cause: RefusalCause): Refusal {
  if (cause.kind === "signature") return signatureRefusal(cause.verdict);
  if (cause.kind === "too-large")
    // https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (6 MB request payload)
    return {
      status: 413,
      errorType: "RequestEntityTooLargeException",
      body: { Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" },
    };
  if (cause.kind === "throttled")
    // Lambda's throttle: https://repost.aws/knowledge-center/lambda-troubleshoot-throttling
    return { status: 429, errorType: "TooManyRequestsException", body: { Message: "Rate Exceeded." } };
  return { status: 502, body: { Message: "Internal Server Error" } };
}
