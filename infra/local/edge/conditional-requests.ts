// CloudFront answers a viewer's matching conditional GET with 304 itself, from the object it serves.
import { headerValue } from "./edge-cache.ts";
import type { HttpRequestParts } from "./edge-functions.ts";
import type { EdgeReply } from "./edge-reply.ts";

const weak = (tag: string) => tag.replace(/^W\//, "");

export function notModifiedForViewer(reply: EdgeReply, viewer: HttpRequestParts): EdgeReply {
  if (reply.response.status !== 200 || !(viewer.method === "GET" || viewer.method === "HEAD")) return reply;
  const etag = headerValue(reply.response.headers, "etag");
  const ifNoneMatch = headerValue(viewer.headers, "if-none-match");
  const matches =
    etag !== undefined &&
    ifNoneMatch !== undefined &&
    (ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => weak(tag.trim()) === weak(etag)));
  if (!matches) return reply;
  const kept = /^(etag|cache-control|expires|last-modified|vary|date|content-location)$/i;
  return {
    ...reply,
    response: {
      status: 304,
      statusText: "Not Modified",
      headers: reply.response.headers.filter(([name]) => kept.test(name)),
    },
  };
}
