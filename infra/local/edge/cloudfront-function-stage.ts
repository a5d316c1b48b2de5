// A CloudFront Function at the edge's two viewer events: the request or the response handed over as its
// event, and what it returns (a request to go on with, or a response of its own) as the edge's stage result.

import {
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
  viewerResponseEvent,
} from "./cloudfront-function-events.ts";
import type { CloudFrontFunction } from "./cloudfront-function-runtime.ts";
import {
  type EdgeContext,
  exposedToFunctions,
  failure,
  type HttpRequestParts,
  type HttpResponseParts,
  modifiedResponse,
  type RequestStageResult,
  type ResponseStageResult,
} from "./edge-function-parts.ts";

/** Where a run's console.log lines go. */
type FunctionLog = (line: string) => void;

export async function functionViewerRequest(
  compiled: CloudFrontFunction,
  request: HttpRequestParts,
  context: EdgeContext,
  log: FunctionLog,
): Promise<RequestStageResult> {
  const outcome = await compiled.run(viewerRequestEvent(functionInput(request, context)));
  for (const line of outcome.logs) log(line);
  if (outcome.type === "error") return failure("cloudfront-function", outcome.status, outcome.reason);
  if (outcome.type === "response")
    return {
      type: "response",
      response: httpResponseFromFunction(outcome.response),
      resultType: "FunctionGeneratedResponse",
    };
  return {
    type: "request",
    request: {
      method: request.method,
      ...httpRequestFromFunction(outcome.request),
      ...(outcome.origin ? { originOverride: outcome.origin } : {}),
    },
  };
}

export async function functionViewerResponse(
  compiled: CloudFrontFunction,
  request: HttpRequestParts,
  response: HttpResponseParts,
  context: EdgeContext,
  log: FunctionLog,
): Promise<ResponseStageResult> {
  const { exposed, hidden } = exposedToFunctions(response);
  const outcome = await compiled.run(
    viewerResponseEvent(viewerRequestEvent(functionInput(request, context)), exposed),
  );
  for (const line of outcome.logs) log(line);
  if (outcome.type === "error") return failure("cloudfront-function", outcome.status, outcome.reason);
  if (outcome.type === "request")
    return failure("cloudfront-function", 502, "viewer-response returned a request");
  return modifiedResponse(httpResponseFromFunction(outcome.response), hidden, response);
}

function functionInput(request: HttpRequestParts, context: EdgeContext) {
  return {
    method: request.method,
    uri: request.uri,
    rawQuery: request.rawQuery,
    headers: request.headers,
    viewerIp: context.viewerIp,
    context: {
      distributionDomainName: context.distributionDomainName,
      distributionId: context.distributionId,
      requestId: context.requestId,
    },
  };
}
