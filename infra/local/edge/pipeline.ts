// The CloudFront request pipeline without HTTP: behaviour, viewer-request, the cache (TTLs, revalidation,
// collapsing, stale-while-revalidate and stale-if-error), origin-request, the origin, origin-response,
// custom error pages, viewer-response, then what CloudFront does on the way out (304s, ranges, the
// response headers policy).
import { Readable } from "node:stream";
import type { BehaviourDeclaration, DistributionDeclaration } from "../../../edge/distribution.ts";
import { matchBehaviour } from "./behaviour-match.ts";
import {
  cacheKey,
  edgeTtlSeconds,
  errorCachingStatuses,
  isCacheableMethod,
  normalisedAcceptEncoding,
  parseCacheControl,
} from "./cache-policy.ts";
import { compress, isCompressible } from "./compression.ts";
import { notModifiedForViewer } from "./conditional-requests.ts";
import {
  ageSeconds,
  type CachedObject,
  type EdgeCache,
  headerValue,
  isFresh,
  mayServeOnError,
  mayServeWhileRevalidating,
} from "./edge-cache.ts";
import type { EdgeContext, EdgeFunctions, HttpRequestParts, HttpResponseParts } from "./edge-functions.ts";
import type { EdgeReply } from "./edge-reply.ts";
import { cloudFrontError, statusTexts } from "./error-pages.ts";
import { type OriginEndpoint, sendToOrigin } from "./origin-client.ts";
import { overriddenOrigin, withOriginCustomHeaders } from "./origin-override.ts";
import { cloudFrontOriginHeaders, originRequestFor, withEdgeValidators } from "./origin-request-policy.ts";
import { selectOrigin } from "./origin-selection.ts";
import { rangeForViewer } from "./range-requests.ts";
import { applyResponseHeadersPolicy, checkResponseHeadersPolicy } from "./response-headers-policy.ts";

export interface EdgePipelineOptions {
  distribution: DistributionDeclaration;
  /** Where each declared origin is reachable locally, by origin id. */
  origins: Readonly<Record<string, OriginEndpoint>>;
  functions: EdgeFunctions;
  cache: EdgeCache;
  /** The edge clock (ms); tests move it to expire objects without waiting. */
  now: () => number;
  /** The stack's diagnostic log. */
  log: (message: string) => void;
  /** This edge's Via value, sent to origins. */
  via: string;
}

type OriginTrip =
  | { type: "response"; response: HttpResponseParts & { body: Buffer }; generated: boolean }
  | { type: "error"; status: number; detailedResultType: string };

const allowedMethods: Record<BehaviourDeclaration["allowedMethods"], readonly string[]> = {
  GET_HEAD: ["GET", "HEAD"],
  GET_HEAD_OPTIONS: ["GET", "HEAD", "OPTIONS"],
  ALL: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
};

/**
 * Origin answers that let a stale-if-error object stand in (RFC 5861 §4: 500, 502, 503, 504), as do
 * failures to connect or read. CloudFront's rules (announced 2023-05, "Manage how long content stays in
 * the cache"): stale-while-revalidate serves the stale object at once and revalidates behind it;
 * stale-if-error serves it only once the origin attempt has failed, after its timeouts, which is what
 * https://dev.classmethod.jp/articles/cloudfront-stale-if-error-origin-timeout-behavior/ measured.
 */
const staleIfErrorStatuses = new Set([500, 502, 503, 504]);

export class EdgePipeline {
  readonly #options: EdgePipelineOptions;

  constructor(options: EdgePipelineOptions) {
    this.#options = options;
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

    let reply = await this.#throughCache(behaviour, request, body, context);
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

  async #throughCache(
    behaviour: BehaviourDeclaration,
    request: HttpRequestParts,
    body: Readable | undefined,
    context: EdgeContext,
  ): Promise<EdgeReply> {
    if (!isCacheableMethod(request.method)) {
      const trip = await this.#originTrip(behaviour, request, body, context);
      return this.#replyFromTrip(trip, context);
    }
    const key = cacheKey(behaviour.cachePolicy, request);
    const cache = this.#options.cache;
    const cached = cache.get(key);
    const now = this.#options.now();
    if (cached && isFresh(cached, now)) return this.#replyFromCache(cached, "Hit");
    const refresh = () => this.#refresh(key, behaviour, request, context);
    if (cached && mayServeWhileRevalidating(cached, now)) {
      // The viewer gets the stale copy at once; one refresh per key runs behind it.
      cache.collapse(key, refresh).catch((error: unknown) => {
        this.#options.log(`background refresh of ${request.uri} failed: ${String(error)}`);
      });
      return this.#replyFromCache(cached, "Hit");
    }

    const { value, led } = await cache.collapse(key, refresh);
    if (led) return value.reply;
    // A follower shares the leader's object only when it was cacheable; otherwise it asks the origin itself.
    if (value.stored)
      return { ...value.reply, resultType: value.reply.resultType === "Error" ? "Error" : "Hit" };
    return (await refresh()).reply;
  }

  async #refresh(
    key: string,
    behaviour: BehaviourDeclaration,
    request: HttpRequestParts,
    context: EdgeContext,
  ): Promise<{ reply: EdgeReply; stored: boolean }> {
    const cache = this.#options.cache;
    const stale = cache.get(key);
    const validators = stale?.originValidators;
    const conditional: [string, string][] = [];
    if (validators?.etag) conditional.push(["If-None-Match", validators.etag]);
    if (validators?.lastModified) conditional.push(["If-Modified-Since", validators.lastModified]);
    // The edge fetches the whole object for GET and HEAD alike, and revalidates what it holds.
    const trip = await this.#originTrip(
      behaviour,
      { ...request, method: "GET" },
      undefined,
      context,
      conditional,
    );
    const now = this.#options.now();

    if (trip.type === "response" && trip.response.status === 304 && stale) {
      const merged = mergeRevalidation(stale, trip.response.headers);
      const ttlSeconds = edgeTtlSeconds(behaviour.cachePolicy, ttlInput(stale.status, merged), now);
      const refreshed: CachedObject = {
        ...stale,
        ...staleWindows(merged),
        headers: merged,
        storedAtMs: now,
        ttlSeconds,
      };
      cache.set(key, refreshed);
      return { reply: this.#replyFromCache(refreshed, "RefreshHit"), stored: true };
    }
    const failed =
      trip.type === "error" || (!trip.generated && staleIfErrorStatuses.has(trip.response.status));
    if (failed && stale && mayServeOnError(stale, now)) {
      this.#options.log(`origin failed for ${request.uri}: serving the stale copy (stale-if-error)`);
      return { reply: this.#replyFromCache(stale, "RefreshHit"), stored: true };
    }
    if (trip.type === "error") return { reply: this.#replyFromTrip(trip, context), stored: false };

    let { headers, body } = trip.response;
    const encoding = normalisedAcceptEncoding(behaviour.cachePolicy, request.headers);
    if (
      behaviour.compress &&
      encoding !== "identity" &&
      isCompressible(trip.response.status, headers, body.length)
    )
      ({ headers, body } = compress(encoding, headers, body));
    const response = { ...trip.response, headers, body };
    const errorTtl = this.#options.distribution.customErrorResponses.find(
      (entry) => entry.errorCode === response.status,
    )?.errorCachingMinTtlSeconds;
    const ttlSeconds = edgeTtlSeconds(
      behaviour.cachePolicy,
      ttlInput(response.status, response.headers),
      now,
      errorTtl,
    );
    const stored = ttlSeconds > 0;
    if (stored) {
      cache.set(key, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        body: response.body,
        storedAtMs: now,
        ttlSeconds,
        originValidators: {
          etag: headerValue(trip.response.headers, "etag"),
          lastModified: headerValue(trip.response.headers, "last-modified"),
        },
        // An error object does not stand in for itself.
        ...(errorCachingStatuses.has(response.status)
          ? { staleWhileRevalidateSeconds: 0, staleIfErrorSeconds: 0 }
          : staleWindows(response.headers)),
      });
    } else if (stale) {
      cache.delete(key);
    }
    return { reply: this.#replyFromTrip({ ...trip, response }, context), stored };
  }

  #replyFromCache(object: CachedObject, resultType: "Hit" | "RefreshHit"): EdgeReply {
    const error = object.status >= 400;
    return {
      response: {
        status: object.status,
        statusText: object.statusText,
        headers: object.headers,
        body: object.body,
      },
      resultType: error ? "Error" : resultType,
      detailedResultType: error ? "Error" : resultType,
      age: ageSeconds(object, this.#options.now()),
    };
  }

  #replyFromTrip(trip: OriginTrip, context: EdgeContext): EdgeReply {
    if (trip.type === "error")
      return cloudFrontError(trip.status, trip.detailedResultType, context.requestId);
    const error = trip.response.status >= 400;
    return {
      response: trip.response,
      resultType: error ? "Error" : "Miss",
      detailedResultType: error ? "Error" : "Miss",
    };
  }

  /** Origin-request trigger, the origin itself, then the origin-response trigger: only ever on a miss. */
  async #originTrip(
    behaviour: BehaviourDeclaration,
    viewerRequest: HttpRequestParts,
    body: Readable | undefined,
    context: EdgeContext,
    revalidation: [string, string][] = [],
  ): Promise<OriginTrip> {
    const { distribution, origins, functions, log, via } = this.#options;
    // A viewer-request function's origin helpers choose the origin and shape how it is asked.
    const chosen = overriddenOrigin(distribution, behaviour.originId, viewerRequest.originOverride);
    for (const what of chosen.notHonoured)
      log(`${viewerRequest.uri}: origin override not honoured locally: ${what}`);
    const origin = selectOrigin(distribution, origins, chosen.declaration.id);
    let request = withEdgeValidators(
      originRequestFor(behaviour, viewerRequest),
      viewerRequest.method,
      revalidation,
    );

    const originRequest = behaviour.functions.originRequest;
    if (originRequest) {
      const result = await functions.originRequest(originRequest, request, context, origin.lambdaEdge, body);
      if (result.type === "error")
        return { type: "error", status: result.status, detailedResultType: result.detailedResultType };
      // A response generated on the origin request is cached like an origin's; origin-response is skipped.
      if (result.type === "response")
        return {
          type: "response",
          response: { ...result.response, body: result.response.body ?? Buffer.alloc(0) },
          generated: true,
        };
      request = result.request;
      if (result.body) body = Readable.from([result.body]);
    }

    const result = await sendToOrigin(origin.endpoint, chosen.connection, {
      ...request,
      uri: chosen.originPath + request.uri,
      headers: withOriginCustomHeaders(
        cloudFrontOriginHeaders(request, origin.declaration, context, via),
        chosen.customHeaders,
      ),
      body,
    });
    if (result.type === "error") {
      log(
        `origin ${origin.declaration.id} ${request.method} ${request.uri}: ${result.detailedResultType} after ${result.attempts} attempt(s)`,
      );
      return {
        type: "error",
        status: result.detailedResultType === "OriginReadTimeout" ? 504 : 502,
        detailedResultType: result.detailedResultType,
      };
    }
    let response: HttpResponseParts & { body: Buffer } = result;

    const originResponse = behaviour.functions.originResponse;
    if (originResponse) {
      const modified = await functions.originResponse(
        originResponse,
        request,
        response,
        context,
        origin.lambdaEdge,
      );
      if (modified.type === "error")
        return { type: "error", status: modified.status, detailedResultType: modified.detailedResultType };
      response = { ...modified.response, body: modified.response.body ?? Buffer.alloc(0) };
    }
    return { type: "response", response, generated: false };
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
    const page = await this.#throughCache(
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

function ttlInput(status: number, headers: readonly (readonly [string, string])[]) {
  return {
    status,
    cacheControl: headerValue(headers, "cache-control"),
    expires: headerValue(headers, "expires"),
    date: headerValue(headers, "date"),
  };
}

function staleWindows(headers: readonly (readonly [string, string])[]) {
  const directives = parseCacheControl(headerValue(headers, "cache-control"));
  return {
    staleWhileRevalidateSeconds: directives.staleWhileRevalidate ?? 0,
    staleIfErrorSeconds: directives.staleIfError ?? 0,
  };
}

/** A 304 refreshes the stored object's caching headers and validators (RFC 9111 §4.3.4). */
function mergeRevalidation(
  stale: CachedObject,
  fresh: readonly (readonly [string, string])[],
): [string, string][] {
  const updatable = /^(cache-control|expires|date|last-modified)$/i;
  const updates = fresh.filter(([name]) => updatable.test(name));
  const replaced = new Set(updates.map(([name]) => name.toLowerCase()));
  return [
    ...stale.headers.filter(([name]) => !replaced.has(name.toLowerCase())),
    ...updates.map(([name, value]) => [name, value] as [string, string]),
  ];
}
