// The CloudFront request pipeline without HTTP: behaviour, viewer-request, the cache and the origin behind
// it (cache-flow.ts, origin-trip.ts), custom error pages, viewer-response, then what CloudFront does on the
// way out (304s, ranges, the response headers policy).
import { Readable } from "node:stream";
import type { BehaviourDeclaration } from "../../../edge/distribution.ts";
import { matchBehaviour } from "./behaviour-match.ts";
import { CacheFlow, type CacheFlowOptions } from "./cache-flow.ts";
import { notModifiedForViewer } from "./conditional-requests.ts";
import type { EdgeContext, HttpRequestParts } from "./edge-functions.ts";
import type { EdgeReply } from "./edge-reply.ts";
import { cloudFrontError, statusTexts } from "./error-pages.ts";
import { selectOrigin } from "./origin-selection.ts";
import { rangeForViewer } from "./range-requests.ts";
import { applyResponseHeadersPolicy, checkResponseHeadersPolicy } from "./response-headers-policy.ts";

export type EdgePipelineOptions = CacheFlowOptions;

const allowedMethods: Record<BehaviourDeclaration["allowedMethods"], readonly string[]> = {
  GET_HEAD: ["GET", "HEAD"],
  GET_HEAD_OPTIONS: ["GET", "HEAD", "OPTIONS"],
  ALL: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
};

export class EdgePipeline {
  readonly #options: EdgePipelineOptions;
  readonly #cache: CacheFlow;

  constructor(options: EdgePipelineOptions) {
    this.#options = options;
    this.#cache = new CacheFlow(options);
    for (const behaviour of options.distribution.behaviours) {
      selectOrigin(options.distribution, options.origins, behaviour.originId);
      if (behaviour.responseHeadersPolicy) checkResponseHeadersPolicy(behaviour.responseHeadersPolicy);
    }
  }

  /** Serves one viewer request through the whole CloudFront pipeline. */
  async handle(
    viewer: HttpRequestParts,
    body: Readable | undefined,
    context: EdgeContext,
  ): Promise<EdgeReply> {
    const behaviour = matchBehaviour(this.#options.distribution.behaviours, viewer.uri);
    const reply = await this.#serve(behaviour, viewer, body, context);
    return this.#onTheWayOut(behaviour, viewer, reply);
  }

  /** CloudFront's own error page for a request the edge refuses before the pipeline runs. */
  refuse(viewerUri: string, status: number, detailedResultType: string, requestId: string): EdgeReply {
    const behaviours = this.#options.distribution.behaviours;
    // A URI that is not a path still gets the default behaviour's headers.
    const behaviour = matchBehaviour(behaviours, viewerUri.startsWith("/") ? viewerUri : "/");
    return this.#withPolicy(behaviour, cloudFrontError(status, detailedResultType, requestId));
  }

  async #serve(
    behaviour: BehaviourDeclaration,
    viewer: HttpRequestParts,
    body: Readable | undefined,
    context: EdgeContext,
  ): Promise<EdgeReply> {
    if (!allowedMethods[behaviour.allowedMethods].includes(viewer.method))
      return cloudFrontError(403, "InvalidRequestMethod", context.requestId);

    let request = viewer;
    const functions = this.#options.functions;
    const viewerRequest = behaviour.functions.viewerRequest;
    if (viewerRequest) {
      const result = await functions.viewerRequest(viewerRequest, request, context, body);
      if (result.type === "error")
        return cloudFrontError(result.status, result.detailedResultType, context.requestId);
      // A response generated on the viewer request is neither cached nor shown to viewer-response.
      if (result.type === "response")
        return {
          response: result.response,
          resultType: result.resultType,
          detailedResultType: result.resultType,
        };
      request = result.request;
      if (result.body) body = Readable.from([result.body]);
    }

    let reply = await this.#cache.serve(behaviour, request, body, context);
    reply = await this.#customErrorPage(reply, context);

    const viewerResponse = behaviour.functions.viewerResponse;
    // Viewer-response functions do not run when the origin answered 400 or more.
    if (viewerResponse && reply.response.status < 400) {
      const result = await functions.viewerResponse(viewerResponse, request, reply.response, context);
      if (result.type === "error")
        return cloudFrontError(result.status, result.detailedResultType, context.requestId);
      if (viewerResponse.kind === "lambda-edge" && result.response.status !== reply.response.status)
        return cloudFrontError(502, "LambdaValidationError", context.requestId);
      reply = { ...reply, response: result.response };
    }
    return reply;
  }

  /** What CloudFront does to every response it sends: conditional 304s, ranges, the headers policy. */
  #onTheWayOut(behaviour: BehaviourDeclaration, viewer: HttpRequestParts, reply: EdgeReply): EdgeReply {
    const answered = rangeForViewer(notModifiedForViewer(reply, viewer), viewer);
    return this.#withPolicy(behaviour, answered);
  }

  #withPolicy(behaviour: BehaviourDeclaration, reply: EdgeReply): EdgeReply {
    return {
      ...reply,
      response: {
        ...reply.response,
        headers: applyResponseHeadersPolicy(behaviour.responseHeadersPolicy, reply.response.headers),
      },
    };
  }

  /** CloudFront replaces an origin error with the configured page, fetched through the behaviours. */
  async #customErrorPage(reply: EdgeReply, context: EdgeContext): Promise<EdgeReply> {
    const entry = this.#options.distribution.customErrorResponses.find(
      (candidate) => candidate.errorCode === reply.response.status,
    );
    if (
      !entry ||
      reply.resultType === "FunctionGeneratedResponse" ||
      reply.resultType === "LambdaGeneratedResponse"
    )
      return reply;
    const behaviour = matchBehaviour(this.#options.distribution.behaviours, entry.responsePagePath);
    // Custom error page fetches skip the viewer functions.
    const page = await this.#cache.serve(
      behaviour,
      { method: "GET", uri: entry.responsePagePath, rawQuery: "", headers: [] },
      undefined,
      context,
    );
    if (page.response.status >= 400) return reply;
    return {
      ...reply,
      response: {
        ...page.response,
        status: entry.responseCode,
        statusText: statusTexts[entry.responseCode] ?? "",
      },
    };
  }
}
