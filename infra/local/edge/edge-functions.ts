// Loads a behaviour's function associations and runs them with HTTP-shaped inputs and outputs, so the
// edge pipeline is the same whether a CloudFront Function or a Lambda@Edge handler is attached.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type {
  CloudFrontFunctionAssociation,
  DistributionDeclaration,
  LambdaEdgeAssociation,
} from "../../../edge/distribution.ts";
import { type CloudFrontFunction, compileCloudFrontFunction } from "./cloudfront-function-runtime.ts";
import { functionViewerRequest, functionViewerResponse } from "./cloudfront-function-stage.ts";
import type {
  EdgeContext,
  HttpRequestParts,
  HttpResponseParts,
  LambdaEdgeOrigin,
  RequestStageResult,
  ResponseStageResult,
} from "./edge-function-parts.ts";
import {
  type LambdaEdgeEventType,
  type LambdaEdgeFunction,
  startLambdaEdgeFunction,
} from "./lambda-edge-runtime.ts";
import { lambdaRequestStage, lambdaResponseStage } from "./lambda-edge-stage.ts";

// The parts' types, as the pipeline's modules import them.
export type {
  EdgeContext,
  HttpRequestParts,
  HttpResponseParts,
  LambdaEdgeOrigin,
} from "./edge-function-parts.ts";

type Association = CloudFrontFunctionAssociation | LambdaEdgeAssociation;

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

  #cloudFrontFunction(association: CloudFrontFunctionAssociation): CloudFrontFunction {
    const compiled = this.#cloudFrontFunctions.get(association.name);
    if (!compiled) throw new Error(`CloudFront Function ${association.name} was not compiled`);
    return compiled;
  }

  #functionLog(association: CloudFrontFunctionAssociation): (line: string) => void {
    return (line) => this.#log(`${association.name}: ${line}`);
  }

  /** A failed stage is logged with the function and event it came from. */
  #report(association: Association, event: string, result: RequestStageResult | ResponseStageResult): void {
    if (result.type === "error")
      this.#log(`${association.name} (${event}) failed → ${result.status}: ${result.reason}`);
  }

  /** The viewer's `body` is read only for a Lambda@Edge function associated with Include Body. */
  async viewerRequest(
    association: Association,
    request: HttpRequestParts,
    context: EdgeContext,
    body?: Readable,
  ): Promise<RequestStageResult> {
    const result =
      association.kind === "cloudfront-function"
        ? await functionViewerRequest(
            this.#cloudFrontFunction(association),
            request,
            context,
            this.#functionLog(association),
          )
        : await lambdaRequestStage(
            this.#lambda(association, "viewer-request"),
            association.includeBody ?? false,
            request,
            context,
            undefined,
            body,
          );
    this.#report(association, "viewer-request", result);
    return result;
  }

  async originRequest(
    association: LambdaEdgeAssociation,
    request: HttpRequestParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
    body?: Readable,
  ): Promise<RequestStageResult> {
    const result = await lambdaRequestStage(
      this.#lambda(association, "origin-request"),
      association.includeBody ?? false,
      request,
      context,
      origin,
      body,
    );
    this.#report(association, "origin-request", result);
    return result;
  }

  async originResponse(
    association: LambdaEdgeAssociation,
    request: HttpRequestParts,
    response: HttpResponseParts,
    context: EdgeContext,
    origin: LambdaEdgeOrigin,
  ): Promise<ResponseStageResult> {
    const lambda = this.#lambda(association, "origin-response");
    const result = await lambdaResponseStage(lambda, request, response, context, origin);
    this.#report(association, "origin-response", result);
    return result;
  }

  async viewerResponse(
    association: Association,
    request: HttpRequestParts,
    response: HttpResponseParts,
    context: EdgeContext,
  ): Promise<ResponseStageResult> {
    const result =
      association.kind === "cloudfront-function"
        ? await functionViewerResponse(
            this.#cloudFrontFunction(association),
            request,
            response,
            context,
            this.#functionLog(association),
          )
        : await lambdaResponseStage(
            this.#lambda(association, "viewer-response"),
            request,
            response,
            context,
            undefined,
          );
    this.#report(association, "viewer-response", result);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#lambdas.values(), ...this.#cloudFrontFunctions.values()].map((running) => running.close()),
    );
  }
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
