// Lambda@Edge handlers in their workers: limits, validation, and recovery from crashes and loops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  httpRequestFromLambda,
  type LambdaEdgeEventType,
  type LambdaEdgeFunction,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
} from "../../infra/local/edge/lambda-edge-runtime.ts";
import { type HandlerModule, writeHandlerModule } from "../edge/handler-module.ts";

let handlerModule: HandlerModule;
// A module whose Init (its top level) takes longer than the invocation timeout given it below.
let slowInit: HandlerModule;
let brokenInit: HandlerModule;

const handlers = `
export async function passThrough(event) { return event.Records[0].cf.request; }
export async function generate(event) {
  const size = Number(event.Records[0].cf.request.querystring || 0);
  return { status: "200", headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }] }, body: "x".repeat(size) };
}
export async function throws() { throw new Error("broken on purpose"); }
export async function loops(event) { if (event.Records[0].cf.request.querystring === "loop") for (;;) {} return event.Records[0].cf.request; }
export async function exits(event) { if (event.Records[0].cf.request.querystring === "exit") process.exit(1); return event.Records[0].cf.request; }
export async function environment(event, context) {
  const request = event.Records[0].cf.request;
  const { getRemainingTimeInMillis, ...fields } = context;
  request.headers["x-env"] = [{ value: JSON.stringify(process.env) }];
  request.headers["x-context"] = [{ value: JSON.stringify({ ...fields, remaining: getRemainingTimeInMillis() }) }];
  return request;
}
export async function echoBody(event) {
  const request = event.Records[0].cf.request;
  request.headers["x-body"] = [{ value: JSON.stringify(request.body) }];
  if (request.querystring === "replace") request.body = { ...request.body, action: "replace", encoding: "text", data: "replaced" };
  if (request.querystring === "bad-base64") request.body = { ...request.body, action: "replace", encoding: "base64", data: "***" };
  if (request.querystring === "untruncate") request.body = { ...request.body, inputTruncated: !request.body.inputTruncated };
  return request;
}

export async function setsHost(event) {
  const request = event.Records[0].cf.request;
  request.headers.host = [{ key: "Host", value: "evil.example" }];
  return request;
}
export async function addsHeader(event) {
  const request = event.Records[0].cf.request;
  request.headers["x-added"] = [{ value: "yes" }];
  return request;
}
export async function nothing() { return undefined; }
`;

beforeAll(async () => {
  handlerModule = await writeHandlerModule("lambda-edge", handlers);
  slowInit = await writeHandlerModule(
    "lambda-edge-slow-init",
    `await new Promise((resolve) => setTimeout(resolve, 3000));
    export async function handler(event) { return event.Records[0].cf.request; }`,
  );
  brokenInit = await writeHandlerModule(
    "lambda-edge-broken-init",
    `throw new Error("no configuration baked in");`,
  );
});

afterAll(async () => {
  await Promise.all([handlerModule, slowInit, brokenInit].map((module) => module?.close()));
});

const start = (exportName: string, eventType: LambdaEdgeEventType, timeoutMs?: number) =>
  handlerModule.start(exportName, eventType, timeoutMs ? { timeoutMs } : {});

const config = (eventType: LambdaEdgeEventType) => ({
  distributionDomainName: "d111111abcdef8.cloudfront.net",
  distributionId: "E1TEST",
  eventType,
  requestId: "r-1",
});
const request = (rawQuery = "") =>
  lambdaEdgeRequest({
    method: "GET",
    uri: "/card",
    rawQuery,
    headers: [["Host", "example.com"]],
    clientIp: "192.0.2.1",
  });

describe("Lambda@Edge runtime", () => {
  it("passes a request through and inserts keys for headers given without one", async () => {
    expect(
      await start("passThrough", "viewer-request").invoke({
        config: config("viewer-request"),
        request: request(),
      }),
    ).toMatchObject({
      type: "request",
      request: { uri: "/card" },
    });
    const added = await start("addsHeader", "origin-request").invoke({
      config: config("origin-request"),
      request: request(),
    });
    expect(added.type === "request" && added.request.headers["x-added"]).toEqual([
      { key: "X-Added", value: "yes" },
    ]);
  });

  it("limits generated responses to 40 KB on viewer-request and 1 MB on origin-request", async () => {
    const viewer = start("generate", "viewer-request");
    const origin = start("generate", "origin-request");
    expect((await viewer.invoke({ config: config("viewer-request"), request: request("1000") })).type).toBe(
      "response",
    );
    expect(
      await viewer.invoke({ config: config("viewer-request"), request: request(String(41 * 1024)) }),
    ).toMatchObject({ status: 502 });
    expect(
      (await origin.invoke({ config: config("origin-request"), request: request(String(41 * 1024)) })).type,
    ).toBe("response");
    expect(
      await origin.invoke({ config: config("origin-request"), request: request(String(1100 * 1024)) }),
    ).toMatchObject({
      status: 502,
    });
  });

  it("answers 503 for a throw or no result, and 502 for a read-only header", async () => {
    expect(
      await start("throws", "viewer-request").invoke({
        config: config("viewer-request"),
        request: request(),
      }),
    ).toMatchObject({
      type: "error",
      status: 503,
      reason: expect.stringContaining("broken on purpose"),
    });
    expect(
      await start("nothing", "viewer-request").invoke({
        config: config("viewer-request"),
        request: request(),
      }),
    ).toMatchObject({
      status: 503,
    });
    expect(
      await start("setsHost", "viewer-request").invoke({
        config: config("viewer-request"),
        request: request(),
      }),
    ).toMatchObject({
      status: 502,
    });
  });

  it("times out an endless handler with 503 and serves the next invocation from a fresh worker", async () => {
    const looping = start("loops", "viewer-request", 200);
    expect(
      await looping.invoke({ config: config("viewer-request"), request: request("loop") }),
    ).toMatchObject({
      status: 503,
      reason: expect.stringMatching(/timed out/),
    });
    expect(await looping.invoke({ config: config("viewer-request"), request: request() })).toMatchObject({
      type: "request",
    });
  });

  it("survives process.exit in a handler", async () => {
    const exiting = start("exits", "origin-request");
    expect(
      await exiting.invoke({ config: config("origin-request"), request: request("exit") }),
    ).toMatchObject({ status: 503 });
    expect(await exiting.invoke({ config: config("origin-request"), request: request() })).toMatchObject({
      type: "request",
    });
  });

  it("gives handlers Lambda's reserved variables, none of the host's, and a context as Lambda does", async () => {
    const outcome = await start("environment", "origin-request", 30_000).invoke({
      config: config("origin-request"),
      request: request(),
    });
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    const environment = JSON.parse(outcome.request.headers["x-env"]?.[0]?.value ?? "{}");
    expect(environment).toMatchObject({
      AWS_REGION: "us-east-1",
      AWS_LAMBDA_FUNCTION_NAME: "us-east-1.environment",
      AWS_LAMBDA_FUNCTION_VERSION: "1",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      AWS_EXECUTION_ENV: expect.stringMatching(/^AWS_Lambda_nodejs\d+\.x$/),
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/us-east-1.environment",
      LAMBDA_TASK_ROOT: "/var/task",
      TZ: ":UTC",
      _HANDLER: "handlers.environment",
    });
    for (const name of Object.keys(process.env).filter((key) => !(key in environment)))
      expect(environment[name], name).toBeUndefined();
    expect(environment.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    const context = JSON.parse(outcome.request.headers["x-context"]?.[0]?.value ?? "{}");
    expect(context).toMatchObject({
      functionName: "us-east-1.environment",
      functionVersion: "1",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:environment:1",
      memoryLimitInMB: "128",
      logGroupName: "/aws/lambda/us-east-1.environment",
      logStreamName: environment.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.remaining).toBeGreaterThan(0);
    expect(context.remaining).toBeLessThanOrEqual(30_000);
  });

  it("refuses a viewer-response that changes the status", async () => {
    const lambda = start("generate", "viewer-response");
    const response = lambdaEdgeResponse({ status: 404, statusText: "Not Found", headers: [] });
    expect(
      await lambda.invoke({ config: config("viewer-response"), request: request(), response }),
    ).toMatchObject({ status: 502 });
  });

  it("starts the timeout once the environment is ready: a slow Init does not time out the invocation", async () => {
    const lambda = slowInit.start("handler", "viewer-request", { timeoutMs: 1000 });
    expect(await lambda.invoke({ config: config("viewer-request"), request: request() })).toMatchObject({
      type: "request",
    });
  });

  it("answers 503 with the reason when Init fails", async () => {
    const lambda = brokenInit.start("handler", "origin-request");
    expect(await lambda.invoke({ config: config("origin-request"), request: request() })).toMatchObject({
      type: "error",
      status: 503,
      reason: expect.stringContaining("no configuration baked in"),
    });
  });
});

describe("Include Body", () => {
  const withBody = (bytes: Buffer, eventType: "viewer-request" | "origin-request", rawQuery = "") =>
    lambdaEdgeRequest({
      method: "POST",
      uri: "/card",
      rawQuery,
      headers: [["Host", "example.com"]],
      clientIp: "192.0.2.1",
      body: { bytes, eventType },
    });
  const seenBody = (outcome: Awaited<ReturnType<LambdaEdgeFunction["invoke"]>>) =>
    outcome.type === "request"
      ? JSON.parse(outcome.request.headers["x-body"]?.[0]?.value ?? "null")
      : undefined;

  it("shows the body base64, truncated at 40 KB on viewer-request and 1 MB on origin-request", async () => {
    const viewer = start("echoBody", "viewer-request");
    const origin = start("echoBody", "origin-request");
    const small = Buffer.from([0xff, 0x00, 0x41]);
    expect(
      seenBody(
        await viewer.invoke({ config: config("viewer-request"), request: withBody(small, "viewer-request") }),
      ),
    ).toEqual({
      inputTruncated: false,
      action: "read-only",
      encoding: "base64",
      data: small.toString("base64"),
    });
    const large = Buffer.alloc(1100 * 1024, 0x61);
    const truncatedAtViewer = seenBody(
      await viewer.invoke({ config: config("viewer-request"), request: withBody(large, "viewer-request") }),
    );
    expect(truncatedAtViewer.inputTruncated).toBe(true);
    expect(Buffer.from(truncatedAtViewer.data, "base64").length).toBe(40 * 1024);
    const truncatedAtOrigin = seenBody(
      await origin.invoke({ config: config("origin-request"), request: withBody(large, "origin-request") }),
    );
    expect(truncatedAtOrigin.inputTruncated).toBe(true);
    expect(Buffer.from(truncatedAtOrigin.data, "base64").length).toBe(1024 * 1024);
  });

  it("sends a replaced body on, keeps the viewer's when read-only, and refuses a bad replacement", async () => {
    const lambda = start("echoBody", "origin-request");
    const invoke = (rawQuery: string) =>
      lambda.invoke({
        config: config("origin-request"),
        request: withBody(Buffer.from("viewer"), "origin-request", rawQuery),
      });
    const replaced = await invoke("replace");
    expect(replaced.type === "request" && httpRequestFromLambda(replaced.request).body?.toString()).toBe(
      "replaced",
    );
    const kept = await invoke("");
    expect(kept.type === "request" && httpRequestFromLambda(kept.request).body).toBeUndefined();
    expect(await invoke("bad-base64")).toMatchObject({ type: "error", status: 502 });
    expect(await invoke("untruncate")).toMatchObject({ type: "error", status: 502 });
  });
});
