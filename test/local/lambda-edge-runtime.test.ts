// Lambda@Edge handlers in their workers: limits, validation, and recovery from crashes and loops.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LambdaEdgeEventType,
  type LambdaEdgeFunction,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
  startLambdaEdgeFunction,
} from "../../infra/local/edge/lambda-edge-runtime.ts";

let folder: string;
const started: LambdaEdgeFunction[] = [];

const handlers = `
export async function passThrough(event) { return event.Records[0].cf.request; }
export async function generate(event) {
  const size = Number(event.Records[0].cf.request.querystring || 0);
  return { status: "200", headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }] }, body: "x".repeat(size) };
}
export async function throws() { throw new Error("broken on purpose"); }
export async function loops(event) { if (event.Records[0].cf.request.querystring === "loop") for (;;) {} return event.Records[0].cf.request; }
export async function exits(event) { if (event.Records[0].cf.request.querystring === "exit") process.exit(1); return event.Records[0].cf.request; }
export async function environment(event) {
  const request = event.Records[0].cf.request;
  request.headers["x-env-count"] = [{ key: "X-Env-Count", value: String(Object.keys(process.env).length) }];
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
  folder = await mkdtemp(join(tmpdir(), "lambda-edge-"));
  await writeFile(join(folder, "handlers.mjs"), handlers);
});

afterAll(async () => {
  await Promise.all(started.map((lambda) => lambda.close()));
  await rm(folder, { recursive: true, force: true });
});

function start(exportName: string, eventType: LambdaEdgeEventType, timeoutMs?: number) {
  const lambda = startLambdaEdgeFunction({
    name: exportName,
    modulePath: join(folder, "handlers.mjs"),
    exportName,
    eventType,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  started.push(lambda);
  return lambda;
}

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

  it("gives handlers no environment variables", async () => {
    const outcome = await start("environment", "viewer-request").invoke({
      config: config("viewer-request"),
      request: request(),
    });
    expect(outcome.type === "request" && outcome.request.headers["x-env-count"]?.[0]?.value).toBe("0");
  });

  it("refuses a viewer-response that changes the status", async () => {
    const lambda = start("generate", "viewer-response");
    const response = lambdaEdgeResponse({ status: 404, statusText: "Not Found", headers: [] });
    expect(
      await lambda.invoke({ config: config("viewer-response"), request: request(), response }),
    ).toMatchObject({ status: 502 });
  });
});
