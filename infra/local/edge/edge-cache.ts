// The local edge's object cache: entries with their edge TTL, least-recently-used eviction by bytes, and
// request collapsing so concurrent misses for one cache key make a single trip to the origin, and
// invalidation by path as CloudFront's CreateInvalidation does it.
import { invalidationPathOf } from "./cache-policy.ts";

export interface CachedObject {
  status: number;
  statusText: string;
  /** Response headers as CloudFront stores them (hop-by-hop headers already dropped). */
  headers: [string, string][];
  body: Buffer;
  /** Edge clock (ms) when stored or last revalidated. */
  storedAtMs: number;
  ttlSeconds: number;
  /** The origin's own validators, used for revalidation even when the stored copy was compressed. */
  originValidators: { etag?: string | undefined; lastModified?: string | undefined };
  /** The origin's stale-while-revalidate and stale-if-error windows (RFC 5861), 0 when absent. */
  staleWhileRevalidateSeconds: number;
  staleIfErrorSeconds: number;
}

const expiresAtMs = (object: CachedObject) => object.storedAtMs + object.ttlSeconds * 1000;

export function isFresh(object: CachedObject, nowMs: number): boolean {
  return nowMs < expiresAtMs(object);
}

/** Expired, but still inside its stale-while-revalidate window: served at once, refreshed behind. */
export function mayServeWhileRevalidating(object: CachedObject, nowMs: number): boolean {
  return nowMs < expiresAtMs(object) + object.staleWhileRevalidateSeconds * 1000;
}

/** Expired, but still inside its stale-if-error window: served when the origin fails or answers 5xx. */
export function mayServeOnError(object: CachedObject, nowMs: number): boolean {
  return nowMs < expiresAtMs(object) + object.staleIfErrorSeconds * 1000;
}

/** Whole seconds since the object was stored or revalidated, as CloudFront reports in `Age`. */
export function ageSeconds(object: CachedObject, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - object.storedAtMs) / 1000));
}

export function headerValue(
  headers: readonly (readonly [string, string])[],
  name: string,
): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([header]) => header.toLowerCase() === lower)?.[1];
}

const objectSize = (object: CachedObject) =>
  object.body.length + object.headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);

export class EdgeCache {
  readonly #objects = new Map<string, CachedObject>();
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #capacityBytes: number;
  #bytes = 0;

  constructor(capacityBytes = 256 * 1024 * 1024) {
    this.#capacityBytes = capacityBytes;
  }

  get size(): number {
    return this.#objects.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Returns the object, fresh or stale (stale objects are kept for conditional revalidation). */
  get(key: string): CachedObject | undefined {
    const object = this.#objects.get(key);
    if (object) {
      // Re-insert to mark it most recently used.
      this.#objects.delete(key);
      this.#objects.set(key, object);
    }
    return object;
  }

  set(key: string, stored: CachedObject): void {
    this.delete(key);
    const size = objectSize(stored);
    if (size > this.#capacityBytes) return;
    // Small Buffers are slices of a shared 64 KiB pool, and one kept slice keeps its whole pool alive:
    // a stored body gets memory of its own, so the bytes counted here are the bytes held (npm run bench).
    const body = Buffer.alloc(stored.body.length); // never from the pool
    stored.body.copy(body);
    const object = { ...stored, body };
    this.#objects.set(key, object);
    this.#bytes += size;
    for (const [oldestKey] of this.#objects) {
      if (this.#bytes <= this.#capacityBytes) break;
      this.delete(oldestKey);
    }
  }

  delete(key: string): void {
    const object = this.#objects.get(key);
    if (!object) return;
    this.#objects.delete(key);
    this.#bytes -= objectSize(object);
  }

  /**
   * Drops every object an invalidation path names: the exact path, or every path that starts with what
   * comes before a trailing '*' ("The *, which replaces 0 or more characters, must be the last character").
   * Returns how many objects went.
   * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html
   */
  invalidate(paths: readonly string[]): number {
    const exact = new Set(paths.filter((path) => !path.endsWith("*")));
    const prefixes = paths.filter((path) => path.endsWith("*")).map((path) => path.slice(0, -1));
    let dropped = 0;
    for (const key of [...this.#objects.keys()]) {
      const path = invalidationPathOf(key);
      if (exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix))) {
        this.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#objects.clear();
    this.#bytes = 0;
  }

  /**
   * Runs `work` for the key unless a run for the same key is already under way, in which case the caller
   * waits for that run instead. Returns whether this caller led (went to the origin) or followed.
   */
  async collapse<T>(key: string, work: () => Promise<T>): Promise<{ value: T; led: boolean }> {
    const running = this.#inFlight.get(key) as Promise<T> | undefined;
    if (running) return { value: await running, led: false };
    const promise = work();
    this.#inFlight.set(key, promise);
    try {
      return { value: await promise, led: true };
    } finally {
      this.#inFlight.delete(key);
    }
  }
}
