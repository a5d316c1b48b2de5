// How S3 answers conditional and ranged reads: If-Match / If-None-Match / If-(Un)Modified-Since and Range.

export interface ConditionalHeaders {
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  ifUnmodifiedSince: string | undefined;
}

export type PreconditionOutcome = "proceed" | "not-modified" | "precondition-failed";

/** Parses an HTTP date; invalid dates are ignored, as RFC 9110 asks. */
function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** Whether an If-Match / If-None-Match list names this ETag (strong comparison, quotes optional). */
export function etagListMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, "");
  return list.split(",").some((entry) => {
    const candidate = entry.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
    return candidate === "*" || candidate === bare;
  });
}

/**
 * RFC 9110 §13.2.2 order, which is also what S3 documents for the combinations: If-Match true wins over a false
 * If-Unmodified-Since, and If-None-Match false wins over a true If-Modified-Since.
 * Dates compare at whole seconds because Last-Modified carries no more.
 */
export function evaluatePreconditions(
  headers: ConditionalHeaders,
  object: { etag: string; lastModified: number },
  method: string,
): PreconditionOutcome {
  const modifiedSecond = Math.floor(object.lastModified / 1000) * 1000;
  if (headers.ifMatch !== undefined) {
    if (!etagListMatches(headers.ifMatch, object.etag)) return "precondition-failed";
  } else {
    const since = httpDate(headers.ifUnmodifiedSince);
    if (since !== undefined && modifiedSecond > since) return "precondition-failed";
  }
  const read = method === "GET" || method === "HEAD";
  if (headers.ifNoneMatch !== undefined) {
    if (etagListMatches(headers.ifNoneMatch, object.etag))
      return read ? "not-modified" : "precondition-failed";
  } else if (read) {
    const since = httpDate(headers.ifModifiedSince);
    if (since !== undefined && modifiedSecond <= since) return "not-modified";
  }
  return "proceed";
}

export type RangeOutcome =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * One byte range, as S3 serves it. A header S3 cannot parse is ignored and the whole object sent; so are several
 * ranges: S3 "doesn't support retrieving multiple ranges of data per GET request" (API Reference, GetObject) and
 * answers them 200 with the whole object (observed in awslabs/aws-c-s3#257, basho/riak_cs#304). A range
 * starting past the end is 416 InvalidRange.
 */
export function resolveRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined) return { kind: "whole" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: "whole" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "whole" };
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return { kind: "whole" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end };
}

/**
 * If-Range (RFC 9110 §13.1.5): the Range applies only while the object is the one the client has part of.
 * An entity tag must match strongly (a weak one never does); a date must equal Last-Modified exactly.
 */
export function ifRangeHolds(
  header: string | undefined,
  object: { etag: string; lastModified: number },
): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith("W/")) return false;
  if (value.startsWith('"')) return value === object.etag;
  const time = Date.parse(value);
  return !Number.isNaN(time) && time === Math.floor(object.lastModified / 1000) * 1000;
}
