// What the edge hands its functions and gets back, whichever kind is attached: HTTP-shaped requests and
// responses, the stage results, and CloudFront's failure kinds.
import type { CloudFrontOrigin } from "../../../edge/aws/lambda-edge-event.ts";
import type { FunctionOriginOverride } from "./cloudfront-origin-helpers.ts";
import { splitHiddenHeaders } from "./header-rules.ts";

export interface HttpRequestParts {
  method: string;
  uri: string;
  rawQuery: string;
  headers: [string, string][];
  /** Where and how the request goes, when a viewer-request CloudFront Function used the origin helpers. */
  originOverride?: FunctionOriginOverride;
}

export interface HttpResponseParts {
  status: number;
  statusText: string;
  headers: [string, string][];
  body?: Buffer | undefined;
}

export interface EdgeContext {
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
  viewerIp: string;
}

/** Where an origin event says the request is going, in Lambda@Edge's `origin` shape. */
export type LambdaEdgeOrigin = CloudFrontOrigin | undefined;

export type FunctionFailure = {
  type: "error";
  /** 400 when the viewer's body, which an Include Body function needed, did not arrive whole. */
  status: 400 | 502 | 503;
  detailedResultType: string;
  reason: string;
};

export type RequestStageResult =
  | {
      type: "request";
      request: HttpRequestParts;
      /**
       * The body to send on once an Include Body function has read the viewer's: its replacement, or
       * the viewer's own bytes (the stream is spent).
       */
      body?: Buffer;
    }
  | {
      type: "response";
      response: HttpResponseParts;
      resultType: "FunctionGeneratedResponse" | "LambdaGeneratedResponse";
    }
  | FunctionFailure;

export type ResponseStageResult = { type: "response"; response: HttpResponseParts } | FunctionFailure;

// Headers CloudFront never exposes to edge functions: an origin's X-Amzn-RequestId, say, passes to the
// viewer untouched but is not in the function's event.
export function exposedToFunctions(response: HttpResponseParts): {
  exposed: HttpResponseParts;
  hidden: [string, string][];
} {
  const { exposed, hidden } = splitHiddenHeaders(response.headers);
  return { exposed: { ...response, headers: exposed }, hidden };
}

export function failure(
  kind: "cloudfront-function" | "lambda-edge",
  status: 502 | 503,
  reason: string,
): FunctionFailure {
  const prefix = kind === "cloudfront-function" ? "Function" : "Lambda";
  const detail =
    status === 502
      ? "ValidationError"
      : /timed out|compute budget|did not finish/i.test(reason)
        ? "LimitExceeded"
        : "ExecutionError";
  return { type: "error", status, detailedResultType: `${prefix}${detail}`, reason };
}

/**
 * A response event's result: the function's response with the headers it never saw put back, and the
 * original body unless it gave one of its own (response triggers never see the body).
 */
export function modifiedResponse(
  modified: HttpResponseParts,
  hidden: [string, string][],
  original: HttpResponseParts,
): ResponseStageResult {
  return {
    type: "response",
    response: {
      ...modified,
      headers: [...modified.headers, ...hidden],
      body: modified.body ?? original.body,
    },
  };
}
