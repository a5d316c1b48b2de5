// The function URL stand-in as an AWS_IAM function URL behind OAC: only the edge's signature gets through,
// a POST needs the viewer's body hash, and refusals carry Lambda's status, error type and body.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { startFunctionUrlStandIn } from "../../infra/local/function-url/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import type { FunctionUrlEvent } from "../../origin/aws/function-url-event.ts";
import { oacFetch, sha256Hex } from "../origin/oac-fetch.ts";

let functionUrl: RunningService;
const invoked: FunctionUrlEvent[] = [];

beforeAll(async () => {
  functionUrl = await startFunctionUrlStandIn({
    signing: { region: localRegion, credentials: [localCredentials] },
    handler: async (event) => {
      invoked.push(event);
      if (event.rawPath === "/explode") throw new Error("the handler broke");
      return { statusCode: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
    },
  });
});

afterAll(async () => {
  await functionUrl?.close();
});

const forbidden =
  "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";
const mismatch =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

async function refused(response: Response) {
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    body: await response.json(),
  };
}

describe("the function URL stand-in", () => {
  it("refuses a direct, unsigned request as AWS_IAM auth does, without invoking the function", async () => {
    const before = invoked.length;
    expect(await refused(await fetch(`${functionUrl.url}/api/health`))).toEqual({
      status: 403,
      errorType: "AccessDeniedException",
      body: { Message: forbidden },
    });
    expect(invoked.length).toBe(before);
  });

  it("refuses a forged signature and an unknown key", async () => {
    const forged = await oacFetch(functionUrl.url, "/api/health", {
      credentials: { accessKeyId: localCredentials.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    expect(await refused(forged)).toEqual({
      status: 403,
      errorType: "InvalidSignatureException",
      body: { message: mismatch },
    });
    const stranger = await oacFetch(functionUrl.url, "/api/health", {
      credentials: { accessKeyId: "AKIDSTRANGER", secretAccessKey: "whatever" },
    });
    expect(await refused(stranger)).toEqual({
      status: 403,
      errorType: "UnrecognizedClientException",
      body: { message: "The security token included in the request is invalid." },
    });
  });

  it("invokes the function for the edge's signature, the query and bad escapes included", async () => {
    const response = await oacFetch(functionUrl.url, "/api/%ff?card=a%20b&card=c");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(invoked.at(-1)).toMatchObject({
      rawPath: "/api/%ff",
      rawQueryString: "card=a%20b&card=c",
      queryStringParameters: { card: "a b,c" },
      requestContext: { http: { path: "/api/%ff" } },
    });
  });

  it("takes no unsigned payload: a POST needs the body's SHA-256 in x-amz-content-sha256", async () => {
    const body = JSON.stringify({ message: "Happy birthday!" });
    const withoutHash = await oacFetch(functionUrl.url, "/api/cards", { method: "POST", body });
    expect(await refused(withoutHash)).toEqual({
      status: 403,
      errorType: "InvalidSignatureException",
      body: { message: mismatch },
    });
    const wrongHash = await oacFetch(functionUrl.url, "/api/cards", {
      method: "POST",
      body,
      headers: { "x-amz-content-sha256": await sha256Hex(`${body} `) },
    });
    expect(wrongHash.status).toBe(403);
    const unsignedPayload = await oacFetch(functionUrl.url, "/api/cards", {
      method: "POST",
      body,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    expect(unsignedPayload.status).toBe(403);
    const hashed = await oacFetch(functionUrl.url, "/api/cards", {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-amz-content-sha256": await sha256Hex(body) },
    });
    expect(hashed.status).toBe(200);
    expect(invoked.at(-1)?.body).toBe(body);
  });

  it("answers a payload over 6 MB with 413 and a failing function with 502, as Lambda does", async () => {
    const large = "x".repeat(6 * 1024 * 1024 + 1);
    const tooLarge = await oacFetch(functionUrl.url, "/api/cards", {
      method: "POST",
      body: large,
      headers: { "x-amz-content-sha256": await sha256Hex(large) },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    const failing = await oacFetch(functionUrl.url, "/explode");
    expect(failing.status).toBe(502);
    expect(await failing.json()).toEqual({ Message: "Internal Server Error" });
  });

  it("holds a bounded number of request bytes: past the budget it throttles as Lambda does", async () => {
    const small = await startFunctionUrlStandIn({
      signing: { region: localRegion, credentials: [localCredentials] },
      handler: async () => ({ statusCode: 200, body: "{}" }),
      maxBufferedBytes: 1000,
    });
    try {
      const { port } = new URL(small.url);
      // A slow client: it declares 800 bytes and sends them later.
      const slow = request({ host: "127.0.0.1", port, method: "POST", path: "/api/cards" });
      slow.setHeader("content-length", "800");
      slow.flushHeaders();
      const slowAnswer = new Promise<number>((resolve) =>
        slow.on("response", (reply) => resolve(reply.statusCode ?? 0)),
      );
      // Until the slow client's headers arrive another request still fits; then none does.
      let throttled: Response;
      do throttled = await fetch(`${small.url}/api/cards`, { method: "POST", body: "x".repeat(800) });
      while (throttled.status === 403);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("x-amzn-errortype")).toBe("TooManyRequestsException");
      expect(await throttled.json()).toEqual({ Message: "Rate Exceeded." });
      slow.end("y".repeat(800));
      expect(await slowAnswer).toBe(403);
      // The slow request's bytes are released once it is answered.
      const later = await fetch(`${small.url}/api/cards`, { method: "POST", body: "x".repeat(800) });
      expect(later.status).toBe(403);
    } finally {
      await small.close();
    }
  });
});
