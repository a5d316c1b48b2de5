// Lambda@Edge in the local edge runs invocations of one function side by side in separate execution
// environments, as Lambda does, up to the function's bound; beyond it an invocation waits for one to
// come free, and an environment lost to a timeout makes room for a new one.
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LambdaEdgeFunction, lambdaEdgeRequest } from "../../infra/local/edge/lambda-edge-runtime.ts";
import { type HandlerModule, writeHandlerModule } from "./handler-module.ts";

let module: HandlerModule;

// `gate`: marks that it started, then waits for the test to open the gate; answers its environment's
// log stream, which names the execution environment. `loop` with ?loop never returns.
const handlers = `
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
export async function gate(event, context) {
  const request = event.Records[0].cf.request;
  const folder = decodeURIComponent(request.querystring);
  writeFileSync(join(folder, "started-" + context.awsRequestId), "");
  while (!existsSync(join(folder, "open"))) await new Promise((resolve) => setTimeout(resolve, 5));
  request.headers["x-environment"] = [{ value: context.logStreamName }];
  return request;
}
export async function loop(event, context) {
  const request = event.Records[0].cf.request;
  if (request.querystring === "loop") for (;;) {}
  request.headers["x-environment"] = [{ value: context.logStreamName }];
  return request;
}
`;

beforeAll(async () => {
  module = await writeHandlerModule("lambda-edge-concurrency", handlers);
});
afterAll(async () => {
  await module?.close();
});

const invocation = (rawQuery: string) => ({
  config: {
    distributionDomainName: "d111111abcdef8.cloudfront.net",
    distributionId: "E1TEST",
    eventType: "origin-request" as const,
    requestId: "r-1",
  },
  request: lambdaEdgeRequest({
    method: "GET",
    uri: "/img/x",
    rawQuery,
    headers: [["Host", "example.com"]],
    clientIp: "192.0.2.1",
  }),
});
const environmentOf = (outcome: Awaited<ReturnType<LambdaEdgeFunction["invoke"]>>) =>
  outcome.type === "request"
    ? outcome.request.headers["x-environment"]?.[0]?.value
    : outcome.type === "error"
      ? outcome.reason
      : "a response";

async function until(condition: () => Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("Lambda@Edge concurrency", () => {
  it("runs two invocations at once in two environments and a third in one of them once it is free", async () => {
    const gates = await mkdtemp(join(module.folder, "gates-"));
    const lambda = module.start("gate", "origin-request", { concurrency: 2 });
    const outcomes = [1, 2, 3].map(() => lambda.invoke(invocation(encodeURIComponent(gates))));
    // Both environments are inside the handler at the same time: a serial runtime never gets here.
    await until(async () => (await readdir(gates)).filter((name) => name.startsWith("started-")).length >= 2);
    await writeFile(join(gates, "open"), "");
    const environments = (await Promise.all(outcomes)).map(environmentOf);
    expect(environments.every((name) => name?.includes("]"))).toBe(true);
    // The bound: three invocations, two environments.
    expect(new Set(environments).size).toBe(2);
    expect((await readdir(gates)).filter((name) => name.startsWith("started-"))).toHaveLength(3);
  }, 60_000);

  it("replaces an environment lost to a timeout for the invocation waiting for it", async () => {
    const lambda = module.start("loop", "origin-request", { timeoutMs: 1000, concurrency: 1 });
    const first = environmentOf(await lambda.invoke(invocation("")));
    const stuck = lambda.invoke(invocation("loop"));
    // Waits for the only environment; runs in a fresh one once the stuck one is stopped.
    const after = lambda.invoke(invocation(""));
    expect(await stuck).toMatchObject({
      type: "error",
      status: 503,
      reason: expect.stringMatching(/timed out/),
    });
    const replacement = environmentOf(await after);
    expect(replacement).toMatch(/\]/);
    expect(replacement).not.toBe(first);
  }, 60_000);
});
