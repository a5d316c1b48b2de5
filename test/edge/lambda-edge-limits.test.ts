// The local Lambda@Edge runtime refuses, with CloudFront's 502, what CloudFront refuses: on response
// events a generated response over 1 MB (origin events) or 40 KB (viewer events), a body encoding other
// than text or base64, bad base64, a change to a read-only header; on request events a URI and query
// string of 8,192 characters or more, or a query string with a space or "#". An image over 1 MB answered by an
// origin-response function is the resizer's case: CloudFront refuses it, so the resizer must redirect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LambdaEdgeEventType,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
} from "../../infra/local/edge/lambda-edge-runtime.ts";
import { type HandlerModule, writeHandlerModule } from "./handler-module.ts";

let module: HandlerModule;

// Each handler reads what to do from the query string, so one module serves every case.
const handlers = `
const header = (key, value) => [{ key, value }];
export async function image(event) {
  const bytes = Number(event.Records[0].cf.request.querystring);
  return {
    status: "200",
    headers: { "content-type": header("Content-Type", "image/avif") },
    body: Buffer.alloc(bytes, 7).toString("base64"),
    bodyEncoding: "base64",
  };
}
export async function text(event) {
  const bytes = Number(event.Records[0].cf.request.querystring);
  const response = event.Records[0].cf.response;
  return { ...response, body: "x".repeat(bytes), bodyEncoding: "text" };
}
export async function encoded(event) {
  const [encoding, body] = event.Records[0].cf.request.querystring.split(":");
  return { ...event.Records[0].cf.response, body, bodyEncoding: encoding };
}
export async function rewrites(event) {
  const request = event.Records[0].cf.request;
  const [what, length] = request.querystring.split(":");
  if (what === "long-uri") request.uri = "/" + "a".repeat(Number(length) - 1);
  if (what === "space") request.querystring = "a=b c";
  if (what === "hash") request.querystring = "a=b#c";
  if (what === "object") request.querystring = { a: "b" };
  return request;
}
export async function sets(event) {
  const response = event.Records[0].cf.response;
  const [name, value] = event.Records[0].cf.request.querystring.split(":");
  response.headers[name] = [{ value }];
  return response;
}
`;

beforeAll(async () => {
  module = await writeHandlerModule("lambda-edge-limits", handlers);
});
afterAll(async () => {
  await module?.close();
});

const start = (exportName: string, eventType: LambdaEdgeEventType) => module.start(exportName, eventType);

/** A response event as CloudFront builds it for `/img/x` with the handler's instruction as the query. */
function responseEvent(
  eventType: "origin-response" | "viewer-response",
  instruction: string,
  originHeaders: [string, string][] = [["Content-Type", "application/xml"]],
) {
  return {
    config: {
      distributionDomainName: "d111111abcdef8.cloudfront.net",
      distributionId: "E1TEST",
      eventType,
      requestId: "r-1",
    },
    request: lambdaEdgeRequest({
      method: "GET",
      uri: "/img/x",
      rawQuery: instruction,
      headers: [["Host", "example.com"]],
      clientIp: "192.0.2.1",
    }),
    response: lambdaEdgeResponse({
      status: 404,
      statusText: "Not Found",
      headers: originHeaders,
    }),
  };
}

describe("Lambda@Edge limits on response events", () => {
  it("refuses an origin-response image over 1 MB with 502, and answers one under it", async () => {
    const resizer = start("image", "origin-response");
    // 700 KiB of image is about 933 KiB in base64: within 1 MB with its headers.
    const under = await resizer.invoke(responseEvent("origin-response", String(700 * 1024)));
    expect(under).toMatchObject({ type: "response", response: { status: "200", bodyEncoding: "base64" } });
    // 800 KiB is about 1,067 KiB in base64: over, as a 1 MB picture would be.
    expect(await resizer.invoke(responseEvent("origin-response", String(800 * 1024)))).toMatchObject({
      type: "error",
      status: 502,
      reason: expect.stringMatching(/generated response is \d+ bytes; the origin-response limit is 1048576/),
    });
  }, 30_000);

  it("refuses a viewer-response body over 40 KB with 502, and answers one under it", async () => {
    const lambda = start("text", "viewer-response");
    expect(await lambda.invoke(responseEvent("viewer-response", String(30 * 1024)))).toMatchObject({
      type: "response",
    });
    expect(await lambda.invoke(responseEvent("viewer-response", String(41 * 1024)))).toMatchObject({
      type: "error",
      status: 502,
      reason: expect.stringContaining("viewer-response limit is 40960"),
    });
  });

  it("takes text and base64 bodies and refuses another encoding or bad base64 with 502", async () => {
    const lambda = start("encoded", "origin-response");
    expect(await lambda.invoke(responseEvent("origin-response", "text:hello"))).toMatchObject({
      type: "response",
      response: { body: "hello" },
    });
    expect(await lambda.invoke(responseEvent("origin-response", "base64:aGVsbG8="))).toMatchObject({
      type: "response",
      response: { body: "aGVsbG8=" },
    });
    expect(await lambda.invoke(responseEvent("origin-response", "gzip:hello"))).toMatchObject({
      type: "error",
      status: 502,
      reason: 'bodyEncoding must be "text" or "base64"',
    });
    expect(await lambda.invoke(responseEvent("origin-response", "base64:not*base64"))).toMatchObject({
      type: "error",
      status: 502,
      reason: "body is not valid base64",
    });
  });

  it("refuses a change to Via or Transfer-Encoding on origin-response, and lets others through", async () => {
    const lambda = start("sets", "origin-response");
    const fromOrigin: [string, string][] = [["Via", "1.1 origin"]];
    for (const instruction of ["via:1.1 mine", "transfer-encoding:chunked"])
      expect(
        await lambda.invoke(responseEvent("origin-response", instruction, fromOrigin)),
        instruction,
      ).toMatchObject({
        type: "error",
        status: 502,
        reason: expect.stringContaining("is read-only in origin-response"),
      });
    expect(await lambda.invoke(responseEvent("origin-response", "cache-control:no-store"))).toMatchObject({
      type: "response",
    });
  });
});

describe("Lambda@Edge limits on the request a function returns", () => {
  const requestEvent = (instruction: string) => ({
    config: {
      distributionDomainName: "d111111abcdef8.cloudfront.net",
      distributionId: "E1TEST",
      eventType: "origin-request" as const,
      requestId: "r-1",
    },
    request: lambdaEdgeRequest({
      method: "GET",
      uri: "/card",
      rawQuery: instruction,
      headers: [["Host", "example.com"]],
      clientIp: "192.0.2.1",
    }),
  });

  it("refuses a URI and query string of 8,192 characters or more with 502", async () => {
    const lambda = start("rewrites", "origin-request");
    // The query "long-uri:8000" is 13 characters and a "?": 8,000 + 14 is under the limit.
    expect(await lambda.invoke(requestEvent("long-uri:8000"))).toMatchObject({ type: "request" });
    expect(await lambda.invoke(requestEvent("long-uri:8178"))).toMatchObject({
      type: "error",
      status: 502,
      reason: "the URI and query string are 8192 characters; they must stay under 8192",
    });
  });

  it("refuses a query string with a space or # and one that is not a string, with 502", async () => {
    const lambda = start("rewrites", "origin-request");
    for (const instruction of ["space", "hash"])
      expect(await lambda.invoke(requestEvent(instruction)), instruction).toMatchObject({
        type: "error",
        status: 502,
        reason: "query strings cannot hold spaces, control characters or #",
      });
    expect(await lambda.invoke(requestEvent("object"))).toMatchObject({
      type: "error",
      status: 502,
      reason: "request.querystring must be a string",
    });
  });
});
