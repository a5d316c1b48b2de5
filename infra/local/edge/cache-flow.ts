// The edge cache between the viewer and the origin: the cache key, fresh hits, request collapsing,
// revalidation with the origin's validators, stale-while-revalidate and stale-if-error, compression and
// what is stored for how long.
import type { Readable } from "node:stream";
import type { BehaviourDeclaration } from "../../../edge/distribution.ts";
import {
  cacheKey,
  edgeTtlSeconds,
  errorCachingStatuses,
  isCacheableMethod,
  normalisedAcceptEncoding,
  parseCacheControl,
} from "./cache-policy.ts";
import { compress, isCompressible } from "./compression.ts";
import {
  ageSeconds,
  type CachedObject,
  type EdgeCache,
  headerValue,
  isFresh,
  mayServeOnError,
  mayServeWhileRevalidating,
} from "./edge-cache.ts";
import type { EdgeContext, HttpRequestParts } from "./edge-functions.ts";
import type { EdgeReply } from "./edge-reply.ts";
import { cloudFrontError } from "./error-pages.ts";
import { type OriginTrip, type OriginTripOptions, originTrip } from "./origin-trip.ts";

export interface CacheFlowOptions extends OriginTripOptions {
  cache: EdgeCache;
  /** The edge clock (ms); tests move it to expire objects without waiting. */
  now: () => number;
}

/**
 * Origin answers that let a stale-if-error object stand in (RFC 5861 §4: 500, 502, 503, 504), as do
 * failures to connect or read. CloudFront's rules (announced 2023-05, "Manage how long content stays in
 * the cache"): stale-while-revalidate serves the stale object at once and revalidates behind it;
 * stale-if-error serves it only once the origin attempt has failed, after its timeouts, which is what
 * https://dev.classmethod.jp/articles/cloudfront-stale-if-error-origin-timeout-behavior/ measured.
 */
const staleIfErrorStatuses = new Set([500, 502, 503, 504]);

export class CacheFlow {
  readonly #options: CacheFlowOptions;

  constructor(options: CacheFlowOptions) {
    this.#options = options;
  }

  /** A viewer request answered from the cache or through it; uncacheable methods go straight through. */
  async serve(
    behaviour: BehaviourDeclaration,
    request: HttpRequestParts,
    body: Readable | undefined,
    context: EdgeContext,
  ): Promise<EdgeReply> {
    if (!isCacheableMethod(request.method)) {
      const trip = await originTrip(this.#options, behaviour, request, body, context);
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
    const trip = await originTrip(
      this.#options,
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
