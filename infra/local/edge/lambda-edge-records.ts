// Lambda@Edge's CloudFront records as HTTP for the local edge: the request and response handed to a function
// in the event's shape, and what it returns turned back into HTTP parts.
import type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  CloudFrontOrigin,
} from "../../../edge/aws/lambda-edge-event.ts";
import { capitaliseHeaderName } from "./header-rules.ts";
import { exposedBody, replacementBody } from "./lambda-edge-result.ts";

type Pairs = [string, string][];

function toHeaders(pairs: Pairs): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  for (const [key, value] of pairs) {
    const name = key.toLowerCase();
    headers[name] = [...(headers[name] ?? []), { key, value }];
  }
  return headers;
}
const fromHeaders = (headers: CloudFrontHeaders | undefined): Pairs =>
  Object.entries(headers ?? {}).flatMap(([name, values]) =>
    values.map((entry) => [entry.key ?? capitaliseHeaderName(name), entry.value] as [string, string]),
  );

export function lambdaEdgeRequest(input: {
  method: string;
  uri: string;
  rawQuery: string;
  headers: Pairs;
  clientIp: string;
  origin?: CloudFrontOrigin;
  /** With Include Body: the viewer's body and the event it goes to, which sets how much is exposed. */
  body?: { bytes: Buffer; eventType: "viewer-request" | "origin-request" };
}): CloudFrontLambdaRequest {
  return {
    clientIp: input.clientIp,
    method: input.method,
    uri: input.uri,
    querystring: input.rawQuery,
    headers: toHeaders(input.headers),
    ...(input.body ? { body: exposedBody(input.body.bytes, input.body.eventType) } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

/** The request a function returns; `body` only when it replaced the viewer's. */
export function httpRequestFromLambda(request: CloudFrontLambdaRequest): {
  uri: string;
  rawQuery: string;
  headers: Pairs;
  body?: Buffer;
} {
  return {
    uri: request.uri,
    rawQuery: request.querystring,
    headers: fromHeaders(request.headers),
    ...(request.body?.action === "replace" ? { body: replacementBody(request.body) } : {}),
  };
}

export function lambdaEdgeResponse(input: {
  status: number;
  statusText: string;
  headers: Pairs;
}): CloudFrontLambdaResponse {
  return {
    status: String(input.status),
    statusDescription: input.statusText,
    headers: toHeaders(input.headers),
  };
}

export function httpResponseFromLambda(response: CloudFrontLambdaResponse): {
  status: number;
  statusText: string;
  headers: Pairs;
  body?: Buffer;
} {
  const body =
    response.body === undefined
      ? undefined
      : Buffer.from(response.body, response.bodyEncoding === "base64" ? "base64" : "utf8");
  return {
    status: Number(response.status),
    statusText: response.statusDescription ?? "",
    headers: fromHeaders(response.headers),
    ...(body ? { body } : {}),
  };
}
