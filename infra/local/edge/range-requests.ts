// Range GETs as CloudFront answers them from a whole object: 206 with Content-Range (multipart for several
// ranges), 416 when nothing is satisfiable, and the whole object (200) when the Range header breaks
// CloudFront's rules (ranges out of order, overlapping or malformed) or If-Range no longer matches.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RangeGETs.html
import { randomBytes } from "node:crypto";
import { headerValue } from "./edge-cache.ts";
import type { HttpRequestParts } from "./edge-functions.ts";
import type { EdgeReply } from "./edge-reply.ts";

export type ByteRanges =
  | { kind: "ranges"; ranges: { start: number; end: number }[] }
  | { kind: "unsatisfiable" }
  | { kind: "ignored" };

/** Parses `bytes=…` against an object of `size` bytes, in one pass over the header. */
export function parseRange(header: string | undefined, size: number): ByteRanges {
  if (header === undefined) return { kind: "ignored" };
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return { kind: "ignored" };
  const ranges: { start: number; end: number }[] = [];
  let unsatisfiable = 0;
  let previousEnd = -1;
  for (const part of (match[1] ?? "").split(",")) {
    const spec = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(part);
    if (!spec || (spec[1] === "" && spec[2] === "")) return { kind: "ignored" };
    let start: number;
    let end: number;
    if (spec[1] === "") {
      // A suffix range: the last N bytes.
      const length = Number(spec[2]);
      if (length === 0) {
        unsatisfiable += 1;
        continue;
      }
      start = Math.max(0, size - length);
      end = size - 1;
    } else {
      start = Number(spec[1]);
      end = spec[2] === "" ? size - 1 : Math.min(Number(spec[2]), size - 1);
      if (spec[2] !== "" && Number(spec[2]) < start) return { kind: "ignored" };
      if (start >= size) {
        unsatisfiable += 1;
        continue;
      }
    }
    // CloudFront's rules: ascending and not overlapping, or the whole object.
    if (start <= previousEnd) return { kind: "ignored" };
    previousEnd = end;
    ranges.push({ start, end });
  }
  if (ranges.length === 0) return unsatisfiable > 0 ? { kind: "unsatisfiable" } : { kind: "ignored" };
  return { kind: "ranges", ranges };
}

/** If-Range holds when it names the object's strong ETag or its exact Last-Modified date. */
function ifRangeHolds(ifRange: string | undefined, headers: readonly (readonly [string, string])[]): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    const etag = headerValue(headers, "etag");
    return etag !== undefined && !etag.startsWith("W/") && !value.startsWith("W/") && etag === value;
  }
  return headerValue(headers, "last-modified") === value;
}

/** Narrows a whole-object GET reply to the viewer's Range. */
export function rangeForViewer(reply: EdgeReply, viewer: HttpRequestParts): EdgeReply {
  const body = reply.response.body;
  if (viewer.method !== "GET" || reply.response.status !== 200 || body === undefined) return reply;
  const header = headerValue(viewer.headers, "range");
  if (header === undefined || !ifRangeHolds(headerValue(viewer.headers, "if-range"), reply.response.headers))
    return reply;
  const parsed = parseRange(header, body.length);
  if (parsed.kind === "ignored") return reply;
  const others = reply.response.headers.filter(([name]) => !/^(content-range|content-length)$/i.test(name));
  if (parsed.kind === "unsatisfiable")
    return {
      ...reply,
      response: {
        status: 416,
        statusText: "Requested Range Not Satisfiable",
        headers: [
          ...others.filter(([name]) => !/^content-type$/i.test(name)),
          ["Content-Range", `bytes */${body.length}`],
        ],
        body: Buffer.alloc(0),
      },
    };
  const [only, ...more] = parsed.ranges;
  if (only && more.length === 0)
    return {
      ...reply,
      response: {
        status: 206,
        statusText: "Partial Content",
        headers: [...others, ["Content-Range", `bytes ${only.start}-${only.end}/${body.length}`]],
        body: body.subarray(only.start, only.end + 1),
      },
    };
  const boundary = randomBytes(12).toString("hex");
  const type = headerValue(reply.response.headers, "content-type");
  const parts = parsed.ranges.flatMap(({ start, end }) => [
    Buffer.from(
      `\r\n--${boundary}\r\n${type ? `Content-Type: ${type}\r\n` : ""}Content-Range: bytes ${start}-${end}/${body.length}\r\n\r\n`,
    ),
    body.subarray(start, end + 1),
  ]);
  return {
    ...reply,
    response: {
      status: 206,
      statusText: "Partial Content",
      headers: [
        ...others.filter(([name]) => !/^content-type$/i.test(name)),
        ["Content-Type", `multipart/byteranges; boundary=${boundary}`],
      ],
      body: Buffer.concat([...parts, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    },
  };
}
