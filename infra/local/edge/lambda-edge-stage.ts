// A Lambda@Edge function at any of the four events: the request (with the viewer's body when the association
// includes it) and the response as its CloudFront record, and what it returns as the edge's stage result.
import type { Readable } from "node:stream";
import {
  type EdgeContext,
  exposedToFunctions,
  failure,
  type HttpRequestParts,
  type HttpResponseParts,
  type LambdaEdgeOrigin,
  modifiedResponse,
  type RequestStageResult,
  type ResponseStageResult,
} from "./edge-function-parts.ts";
import {
  httpRequestFromLambda,
  httpResponseFromLambda,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
} from "./lambda-edge-records.ts";
import type { LambdaEdgeFunction } from "./lambda-edge-runtime.ts";

/** `lambda` was started for viewer-request or origin-request; `body` is read only with Include Body. */
export async function lambdaRequestStage(
  lambda: LambdaEdgeFunction,
  includeBody: boolean,
  request: HttpRequestParts,
  context: EdgeContext,
  origin: LambdaEdgeOrigin,
  body: Readable | undefined,
): Promise<RequestStageResult> {
  const eventType = lambda.eventType as "viewer-request" | "origin-request";
  let bytes: Buffer | undefined;
  if (includeBody) {
    const read = body ? await readWhole(body) : { type: "body" as const, bytes: Buffer.alloc(0) };
    if (read.type === "error")
      return {
        type: "error",
        status: 400,
        detailedResultType: "ClientCommError",
        reason: `the viewer's body did not arrive: ${read.reason}`,
      };
    bytes = read.bytes;
  }
  const outcome = await lambda.invoke({
    config: config(context, lambda),
    request: lambdaEdgeRequest({
      ...lambdaRequestRecord(request, context, origin),
      ...(bytes ? { body: { bytes, eventType } } : {}),
    }),
  });
  if (outcome.type === "error") return failure("lambda-edge", outcome.status, outcome.reason);
  if (outcome.type === "response")
    return {
      type: "response",
      response: httpResponseFromLambda(outcome.response),
      resultType: "LambdaGeneratedResponse",
    };
  const { body: replaced, ...changed } = httpRequestFromLambda(outcome.request);
  // Content-Length is read-only to the function; a replaced body gets its own from the edge.
  const headers = replaced
    ? [
        ...changed.headers.filter(([name]) => !/^(content-length|transfer-encoding)$/i.test(name)),
        ["Content-Length", String(replaced.length)] as [string, string],
      ]
    : changed.headers;
  const onward = replaced ?? bytes;
  return {
    type: "request",
    request: { method: request.method, ...changed, headers },
    ...(onward ? { body: onward } : {}),
  };
}

/** `lambda` was started for origin-response or viewer-response. */
export async function lambdaResponseStage(
  lambda: LambdaEdgeFunction,
  request: HttpRequestParts,
  response: HttpResponseParts,
  context: EdgeContext,
  origin: LambdaEdgeOrigin,
): Promise<ResponseStageResult> {
  const { exposed, hidden } = exposedToFunctions(response);
  const outcome = await lambda.invoke({
    config: config(context, lambda),
    request: lambdaEdgeRequest(lambdaRequestRecord(request, context, origin)),
    response: lambdaEdgeResponse(exposed),
  });
  if (outcome.type === "error") return failure("lambda-edge", outcome.status, outcome.reason);
  if (outcome.type === "request")
    return failure("lambda-edge", 502, `${lambda.eventType} returned a request`);
  return modifiedResponse(httpResponseFromLambda(outcome.response), hidden, response);
}

function config(context: EdgeContext, lambda: LambdaEdgeFunction) {
  return {
    distributionDomainName: context.distributionDomainName,
    distributionId: context.distributionId,
    eventType: lambda.eventType,
    requestId: context.requestId,
  };
}

/** What the Lambda@Edge request record is built from. */
function lambdaRequestRecord(request: HttpRequestParts, context: EdgeContext, origin: LambdaEdgeOrigin) {
  return {
    method: request.method,
    uri: request.uri,
    rawQuery: request.rawQuery,
    headers: request.headers,
    clientIp: context.viewerIp,
    ...(origin ? { origin } : {}),
  };
}

/** A viewer body read whole, or why it could not be (the viewer went away, or sent too much). */
async function readWhole(
  body: Readable,
): Promise<{ type: "body"; bytes: Buffer } | { type: "error"; reason: string }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
  } catch (error) {
    return { type: "error", reason: error instanceof Error ? error.message : String(error) };
  }
  return { type: "body", bytes: Buffer.concat(chunks) };
}
