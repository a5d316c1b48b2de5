// Loads a behaviour's function associations and runs them with HTTP-shaped inputs and outputs, so the
// edge pipeline is the same whether a CloudFront Function or a Lambda@Edge handler is attached.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { CloudFrontOrigin } from "../../../edge/aws/lambda-edge-event.ts";
import type {
  CloudFrontFunctionAssociation,
  DistributionDeclaration,
  LambdaEdgeAssociation,
} from "../../../edge/distribution.ts";
import {
  type CloudFrontFunction,
  compileCloudFrontFunction,
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
  viewerResponseEvent,
} from "./cloudfront-function-runtime.ts";
import type { FunctionOriginOverride } from "./cloudfront-origin-helpers.ts";
import { splitHiddenHeaders } from "./header-rules.ts";
import {
  httpRequestFromLambda,
  httpResponseFromLambda,
  type LambdaEdgeEventType,
  type LambdaEdgeFunction,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
  startLambdaEdgeFunction,
} from "./lambda-edge-runtime.ts";

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

type Association = CloudFrontFunctionAssociation | LambdaEdgeAssociation;

// Headers CloudFront never exposes to edge functions: an origin's X-Amzn-RequestId, say, passes to the
// viewer untouched but is not in the function's event.
function exposedToFunctions(response: HttpResponseParts): {
  exposed: HttpResponseParts;
  hidden: [string, string][];
} {
  const { exposed, hidden } = splitHiddenHeaders(response.headers);
  return { exposed: { ...response, headers: exposed }, hidden };
}

function failure(kind: Association["kind"], status: 502 | 503, reason: string): FunctionFailure {
  const prefix = kind === "cloudfront-function" ? "Function" : "Lambda";
  const detail =
    status === 502
      ? "ValidationError"
      : /timed out|compute budget|did not finish/i.test(reason)
        ? "LimitExceeded"
        : "ExecutionError";
  return { type: "error", status, detailedResultType: `${prefix}${detail}`, reason };
}

/** Every function of a distribution, compiled or started once and shared by the behaviours naming it. */
export class EdgeFunctions {
  readonly #cloudFrontFunctions = new Map<string, CloudFrontFunction>();
  readonly #lambdas = new Map<string, LambdaEdgeFunction>();
  readonly #log: (message: string) => void;

  constructor(distribution: DistributionDeclaration, repositoryRoot: string, log: (message: string) => void) {
    this.#log = log;
    const events: [keyof typeof eventTypes, Association | undefined][] = distribution.behaviours.flatMap(
      (behaviour) =>
        (Object.keys(eventTypes) as (keyof typeof eventTypes)[]).map(
          (event) =>
            [event, behaviour.functions[event]] as [keyof typeof eventTypes, Association | undefined],
        ),
    );
    for (const [event, association] of events) {
      if (!association) continue;
      if (association.kind === "cloudfront-function") {
        if (this.#cloudFrontFunctions.has(association.name)) continue;
        this.#cloudFrontFunctions.set(
          association.name,
          compileCloudFrontFunction({
            name: association.name,
            code: functionCode(repositoryRoot, association),
            originIds: distribution.origins.map((origin) => origin.id),
          }),
        );
      } else {
        const key = `${association.name}:${eventTypes[event]}`;
        if (this.#lambdas.has(key)) continue;
        this.#lambdas.set(
          key,
          startLambdaEdgeFunction({
            name: association.name,
            modulePath: resolve(repositoryRoot, association.moduleFile),
            eventType: eventTypes[event],
            ...(association.exportName ? { exportName: association.exportName } : {}),
          }),
        );
      }
    }
  }

  #lambda(association: LambdaEdgeAssociation, eventType: LambdaEdgeEventType): LambdaEdgeFunction {
    const lambda = this.#lambdas.get(`${association.name}:${eventType}`);
    if (!lambda) throw new Error(`Lambda@Edge ${association.name} was not started for ${eventType}`);
    return lambda;
  }

  #config(context: EdgeContext, eventType: LambdaEdgeEventType) {
    return {
      distributionDomainName: context.distributionDomainName,
      distributionId: context.distributionId,
      eventType,
      requestId: context.requestId,
    };
  }

  #report(association: Association, event: string, result: FunctionFailure): FunctionFailure {
    this.#log(`${association.name} (${event}) failed → ${result.status}: ${result.reason}`);
    return result;
  }

  /** The viewer's `body` is read only for a Lambda@Edge function associated with Include Body. */
  async viewerRequest(
    association: Association,
    request: HttpRequestParts,
    context: EdgeContext,
    body?: Readable,
  ): Promise<RequestStageResult> {
    if (association.kind === "cloudfront-function") {
      const compiled = this.#cloudFrontFunctions.get(association.name);
      if (!compiled) throw new Error(`CloudFront Function ${association.name} was not compiled`);
      const outcome = await compiled.run(viewerRequestEvent(this.#functionInput(request, context)));
      for (const line of outcome.logs) this.#log(`${association.name}: ${line}`);
      if (outcome.type === "error")
        return this.#report(
          association,
          "viewer-request",
          failure(association.kind, outcome.status, outcome.reason),
        );
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
    return this.#lambdaRequest(association, "viewer-request", request, context, undefined, body);
  }

  async originRequest(
    association: LambdaEdgeAssociation,
    request: HttpRequestParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
    body?: Readable,
  ): Promise<RequestStageResult> {
    return this.#lambdaRequest(association, "origin-request", request, context, origin, body);
  }

  async #lambdaRequest(
    association: LambdaEdgeAssociation,
    eventType: "viewer-request" | "origin-request",
    request: HttpRequestParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
    body: Readable | undefined,
  ): Promise<RequestStageResult> {
    let bytes: Buffer | undefined;
    if (association.includeBody) {
      const read = body ? await readWhole(body) : { type: "body" as const, bytes: Buffer.alloc(0) };
      if (read.type === "error")
        return this.#report(association, eventType, {
          type: "error",
          status: 400,
          detailedResultType: "ClientCommError",
          reason: `the viewer's body did not arrive: ${read.reason}`,
        });
      bytes = read.bytes;
    }
    const outcome = await this.#lambda(association, eventType).invoke({
      config: this.#config(context, eventType),
      request: lambdaEdgeRequest({
        ...lambdaRequestRecord(request, context, origin),
        ...(bytes ? { body: { bytes, eventType } } : {}),
      }),
    });
    if (outcome.type === "error")
      return this.#report(association, eventType, failure(association.kind, outcome.status, outcome.reason));
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

  async originResponse(
    association: LambdaEdgeAssociation,
    request: HttpRequestParts,
    response: HttpResponseParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
  ): Promise<ResponseStageResult> {
    return this.#lambdaResponse(association, "origin-response", request, response, context, origin);
  }

  async viewerResponse(
    association: Association,
    request: HttpRequestParts,
    response: HttpResponseParts,
    context: EdgeContext,
  ): Promise<ResponseStageResult> {
    if (association.kind === "cloudfront-function") {
      const compiled = this.#cloudFrontFunctions.get(association.name);
      if (!compiled) throw new Error(`CloudFront Function ${association.name} was not compiled`);
      const { exposed, hidden } = exposedToFunctions(response);
      const outcome = await compiled.run(
        viewerResponseEvent(viewerRequestEvent(this.#functionInput(request, context)), exposed),
      );
      for (const line of outcome.logs) this.#log(`${association.name}: ${line}`);
      if (outcome.type === "error")
        return this.#report(
          association,
          "viewer-response",
          failure(association.kind, outcome.status, outcome.reason),
        );
      if (outcome.type === "request")
        return this.#report(
          association,
          "viewer-response",
          failure(association.kind, 502, "viewer-response returned a request"),
        );
      const modified = httpResponseFromFunction(outcome.response);
      return {
        type: "response",
        response: {
          ...modified,
          headers: [...modified.headers, ...hidden],
          body: modified.body ?? response.body,
        },
      };
    }
    return this.#lambdaResponse(association, "viewer-response", request, response, context, undefined);
  }

  async #lambdaResponse(
    association: LambdaEdgeAssociation,
    eventType: "origin-response" | "viewer-response",
    request: HttpRequestParts,
    response: HttpResponseParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
  ): Promise<ResponseStageResult> {
    const outcome = await this.#lambda(association, eventType).invoke({
      config: this.#config(context, eventType),
      request: lambdaEdgeRequest(lambdaRequestRecord(request, context, origin)),
      response: lambdaEdgeResponse(exposedToFunctions(response).exposed),
    });
    if (outcome.type === "error")
      return this.#report(association, eventType, failure(association.kind, outcome.status, outcome.reason));
    if (outcome.type === "request")
      return this.#report(
        association,
        eventType,
        failure(association.kind, 502, `${eventType} returned a request`),
      );
    const modified = httpResponseFromLambda(outcome.response);
    const { hidden } = exposedToFunctions(response);
    // Response triggers never see the body; leaving it out keeps the origin's.
    return {
      type: "response",
      response: {
        ...modified,
        headers: [...modified.headers, ...hidden],
        body: modified.body ?? response.body,
      },
    };
  }

  #functionInput(request: HttpRequestParts, context: EdgeContext) {
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

  async close(): Promise<void> {
    await Promise.all(
      [...this.#lambdas.values(), ...this.#cloudFrontFunctions.values()].map((running) => running.close()),
    );
  }
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

/** A CloudFront Function's code, as the edge loads it. */
function functionCode(repositoryRoot: string, association: CloudFrontFunctionAssociation): string {
  return readFileSync(resolve(repositoryRoot, association.sourceFile), "utf8");
}

const eventTypes = {
  viewerRequest: "viewer-request",
  originRequest: "origin-request",
  originResponse: "origin-response",
  viewerResponse: "viewer-response",
} as const satisfies Record<string, LambdaEdgeEventType>;

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
