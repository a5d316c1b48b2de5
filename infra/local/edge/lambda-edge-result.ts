// What CloudFront makes of a Lambda@Edge function's result: the checks that turn a bad one into a 502 or
// 503, and the request body a function sees and may replace (Include Body).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-include-body-access.html
import type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaRequestBody,
  CloudFrontLambdaResponse,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";
import { capitaliseHeaderName, headerRefusal, isReadOnlyHeader } from "./header-rules.ts";

export type LambdaEdgeOutcome =
  | { type: "request"; request: CloudFrontLambdaRequest }
  | { type: "response"; response: CloudFrontLambdaResponse }
  | { type: "error"; status: 502 | 503; reason: string };

/**
 * How much of a request body a request event carries, and the most a function may generate as a
 * response (headers and body): 40 KB on viewer request, 1 MB on origin request (aws-edge-facts.md B2, B4).
 */
const requestEventLimit = { "viewer-request": 40 * 1024, "origin-request": 1024 * 1024 } as const;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The viewer's body as the event carries it: truncated at the event's limit, then base64. */
export function exposedBody(
  bytes: Buffer,
  eventType: "viewer-request" | "origin-request",
): CloudFrontLambdaRequestBody {
  const limit = requestEventLimit[eventType];
  return {
    inputTruncated: bytes.length > limit,
    action: "read-only",
    encoding: "base64",
    data: bytes.subarray(0, limit).toString("base64"),
  };
}

/** The bytes of a body a function replaced (validated first). */
export function replacementBody(body: CloudFrontLambdaRequestBody): Buffer {
  return Buffer.from(body.data, body.encoding === "base64" ? "base64" : "utf8");
}

function bodyProblem(
  eventType: LambdaEdgeEventType,
  before: CloudFrontLambdaRequestBody | undefined,
  after: unknown,
): string | undefined {
  if (after === undefined) return undefined;
  if (!before || (eventType !== "viewer-request" && eventType !== "origin-request"))
    return "request.body is only there for a function with Include Body, in request events";
  const body = after as Partial<CloudFrontLambdaRequestBody>;
  if (body.action !== "read-only" && body.action !== "replace")
    return 'request.body.action must be "read-only" or "replace"';
  if (body.inputTruncated !== before.inputTruncated) return "request.body.inputTruncated is read-only";
  if (body.action === "read-only") return undefined;
  if (body.encoding !== "base64" && body.encoding !== "text")
    return 'request.body.encoding must be "base64" or "text"';
  if (typeof body.data !== "string") return "request.body.data must be a string";
  if (body.encoding === "base64" && !base64.test(body.data)) return "request.body.data is not valid base64";
  // ⚠️ The guide gives no separate limit for a replaced body; the event's own limit is applied.
  const size = replacementBody(body as CloudFrontLambdaRequestBody).length;
  const limit = requestEventLimit[eventType];
  if (size > limit) return `the replaced body is ${size} bytes; the ${eventType} limit is ${limit}`;
  return undefined;
}

function headerProblem(
  eventType: LambdaEdgeEventType,
  before: CloudFrontHeaders,
  after: CloudFrontHeaders | undefined,
): string | undefined {
  for (const [name, values] of Object.entries(after ?? {})) {
    const refusal = headerRefusal(eventType, name);
    if (refusal) return refusal;
    if (!Array.isArray(values)) return `header ${name} must be an array of {key, value}`;
    for (const entry of values) {
      if (entry.key !== undefined && entry.key.toLowerCase() !== name)
        return `header key ${entry.key} does not match ${name}`;
      if (typeof entry.value !== "string") return `header ${name} needs a string value`;
    }
    if (
      isReadOnlyHeader(eventType, name) &&
      JSON.stringify(values.map((v) => v.value)) !== JSON.stringify((before[name] ?? []).map((v) => v.value))
    )
      return `header ${name} is read-only in ${eventType}`;
  }
  for (const name of Object.keys(before))
    if (isReadOnlyHeader(eventType, name) && !(after && name in after))
      return `header ${name} is read-only in ${eventType}`;
  return undefined;
}

/** A header without `key` gets one, capitalised per hyphen-separated word. */
function withKeys<T extends { headers?: CloudFrontHeaders }>(value: T): T {
  if (!value.headers) return value;
  const headers: CloudFrontHeaders = {};
  for (const [name, values] of Object.entries(value.headers))
    headers[name] = values.map((entry) => ({
      key: entry.key ?? capitaliseHeaderName(name),
      value: entry.value,
    }));
  return { ...value, headers };
}

export function validate(
  eventType: LambdaEdgeEventType,
  cf: { request: CloudFrontLambdaRequest; response?: CloudFrontLambdaResponse },
  result: unknown,
): LambdaEdgeOutcome {
  const invalid = (reason: string): LambdaEdgeOutcome => ({ type: "error", status: 502, reason });
  if (result === undefined || result === null || typeof result !== "object")
    return { type: "error", status: 503, reason: "the handler returned nothing" };
  const object = result as Record<string, unknown>;
  if ("status" in object) {
    const response = object as unknown as CloudFrontLambdaResponse;
    const status = Number(response.status);
    if (!Number.isInteger(status) || status < 200 || status > 599)
      return invalid(`status ${String(response.status)} is outside 200–599`);
    if (eventType === "viewer-response" && String(status) !== String(cf.response?.status))
      return invalid("viewer-response cannot change the status");
    const before = eventType.endsWith("response") ? (cf.response?.headers ?? {}) : {};
    const problem = headerProblem(eventType, before, response.headers);
    if (problem) return invalid(problem);
    if (response.body !== undefined && typeof response.body !== "string")
      return invalid("body must be a string");
    if (response.bodyEncoding === "base64" && response.body !== undefined && !base64.test(response.body))
      return invalid("body is not valid base64");
    if (eventType === "viewer-request" && status === 204 && response.body)
      return invalid("a 204 cannot carry a body");
    if (eventType === "viewer-request" || eventType === "origin-request") {
      const size =
        Buffer.byteLength(JSON.stringify(response.headers ?? {})) + Buffer.byteLength(response.body ?? "");
      const limit = requestEventLimit[eventType];
      if (size > limit)
        return invalid(`the generated response is ${size} bytes; the ${eventType} limit is ${limit}`);
    }
    return { type: "response", response: withKeys(response) };
  }
  if (eventType.endsWith("response")) return invalid(`${eventType} must return the response`);
  const request = object as unknown as CloudFrontLambdaRequest;
  if (request.method !== cf.request.method) return invalid("request.method is read-only");
  if (request.clientIp !== cf.request.clientIp) return invalid("request.clientIp is read-only");
  if (typeof request.uri !== "string" || !request.uri.startsWith("/"))
    return invalid("request.uri must start with /");
  const problem =
    headerProblem(eventType, cf.request.headers, request.headers) ??
    bodyProblem(eventType, cf.request.body, request.body);
  if (problem) return invalid(problem);
  return { type: "request", request: withKeys(request) };
}
