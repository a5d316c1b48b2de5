// ListObjectsV2 over a bucket's keys: S3's order, prefix, delimiter roll-up, page size and continuation.

/** S3 lists keys in UTF-8 byte order, which is code point order (JavaScript's `<` compares UTF-16 units). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const left = a.codePointAt(index) ?? 0;
    const right = b.codePointAt(index) ?? 0;
    if (left !== right) return left - right;
    if (left > 0xffff) index += 1;
  }
  return a.length - b.length;
}

/** The position of the first key sorting after `after` (`inclusive`: at or after). */
export function firstIndexAfter(sortedKeys: readonly string[], after: string, inclusive = false): number {
  let low = 0;
  let high = sortedKeys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareKeys(sortedKeys[middle] ?? "", after);
    if (order < 0 || (order === 0 && !inclusive)) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface ListingRequest {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  startAfter: string | undefined;
  continuationToken: string | undefined;
}

export interface ObjectListing<T> {
  objects: T[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
}

/** Where a page ended: after a key, or after a common prefix and so after every key under it. */
interface ResumePoint {
  after: string;
  rolledUp: boolean;
}

/** The token only has to find the place again; S3's are opaque too. */
export function continuationTokenFor(point: ResumePoint): string {
  return Buffer.from(`${point.rolledUp ? "p" : "k"}${point.after}`, "utf8").toString("base64url");
}

/** The place a token resumes from, or undefined when the token is not one of ours. */
export function resumePointOf(token: string): ResumePoint | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const decoded = Buffer.from(token, "base64url").toString("utf8");
  const kind = decoded[0];
  if (kind !== "p" && kind !== "k") return undefined;
  const point = { after: decoded.slice(1), rolledUp: kind === "p" };
  return continuationTokenFor(point) === token ? point : undefined;
}

/**
 * One page of a listing. Keys and rolled-up common prefixes share the page size, as in S3; a continuation
 * token wins over start-after, as in S3.
 */
export function listPage<T>(
  sortedKeys: readonly string[],
  lookup: (key: string) => T | undefined,
  request: ListingRequest,
): ObjectListing<T> | { invalidToken: true } {
  let resume: ResumePoint | undefined =
    request.startAfter === undefined ? undefined : { after: request.startAfter, rolledUp: false };
  if (request.continuationToken !== undefined) {
    resume = resumePointOf(request.continuationToken);
    if (resume === undefined) return { invalidToken: true };
  }
  const { prefix, delimiter, maxKeys } = request;
  const listing: ObjectListing<T> = {
    objects: [],
    commonPrefixes: [],
    isTruncated: false,
    nextContinuationToken: undefined,
  };
  if (maxKeys <= 0) return listing;
  // Keys under one prefix form one run in sorted order: start where the run (or the resume point) starts.
  let index = Math.max(
    firstIndexAfter(sortedKeys, prefix, true),
    resume === undefined ? 0 : firstIndexAfter(sortedKeys, resume.after),
  );
  let last: ResumePoint | undefined;
  for (; index < sortedKeys.length; index += 1) {
    const key = sortedKeys[index] ?? "";
    if (!key.startsWith(prefix)) break;
    if (resume?.rolledUp && key.startsWith(resume.after)) continue;
    const rolledUp = rollUp(key, prefix, delimiter);
    if (rolledUp !== undefined && rolledUp === listing.commonPrefixes.at(-1)) continue;
    if (listing.objects.length + listing.commonPrefixes.length === maxKeys) {
      listing.isTruncated = true;
      break;
    }
    if (rolledUp !== undefined) {
      listing.commonPrefixes.push(rolledUp);
      last = { after: rolledUp, rolledUp: true };
    } else {
      const object = lookup(key);
      if (object === undefined) continue;
      listing.objects.push(object);
      last = { after: key, rolledUp: false };
    }
  }
  if (listing.isTruncated && last !== undefined) listing.nextContinuationToken = continuationTokenFor(last);
  return listing;
}

function rollUp(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
