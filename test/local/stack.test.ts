// The acceptance path: the whole local stack on ephemeral ports, the catalog through the local edge,
// a cache hit in the headers and in the access log, the API's health, and data kept across a restart.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { parseAccessLog } from "../../infra/local/edge/access-log.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { ApiRequestError, callApi } from "../../site/lib/api-client.ts";
import { oacFetch } from "../origin/oac-fetch.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

let testStack: TestStack | undefined;
let stack: LocalStack | undefined;

beforeAll(async () => {
  testStack = await startTestStack("stack");
  stack = testStack.stack;
}, 120_000);

afterAll(async () => {
  await testStack?.close();
});

describe("the local stack", () => {
  it("serves the catalog through the edge, then from its cache", async () => {
    const first = await fetch(`${stack?.edge.url}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/html/);
    expect(first.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(first.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    const html = await first.text();
    expect(html).toContain('src="/img/catalog/');

    const second = await fetch(`${stack?.edge.url}/`);
    expect(second.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(second.headers.get("age")).toMatch(/^\d+$/);
    expect(await second.text()).toBe(html);

    await stack?.edge.accessLog?.flush();
    const directory = stack?.accessLogDirectory ?? "";
    const text = (
      await Promise.all((await readdir(directory)).map((file) => readFile(join(directory, file), "utf8")))
    ).join("");
    const home = parseAccessLog(text).filter((record) => record["cs-uri-stem"] === "/");
    expect(home.map((record) => record["x-edge-result-type"])).toEqual(["Miss", "Hit"]);
  });

  it("serves category pages, catalog art and a 301 for a path without its slash", async () => {
    const html = await (await fetch(`${stack?.edge.url}/`)).text();
    const art = /src="(\/img\/catalog\/[^"]+\.svg)"/.exec(html)?.[1];
    const image = await fetch(`${stack?.edge.url}${art}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/svg+xml");

    const category = /href="(\/designs\/[^"/]+\/)"/.exec(html)?.[1] ?? "";
    expect((await fetch(`${stack?.edge.url}${category}`)).status).toBe(200);
    const redirect = await fetch(`${stack?.edge.url}${category.slice(0, -1)}`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toContain(category);
  });

  it("answers the API's health through the edge without caching it or naming the database build", async () => {
    const response = await fetch(`${stack?.edge.url}/api/health`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      status: "ok",
      version: expect.any(String),
      database: { reachable: true },
    });
    expect(text).not.toMatch(/PostgreSQL|\d+\.\d+ on /);
    expect(response.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect((await fetch(`${stack?.edge.url}/api/health`)).headers.get("x-cache")).toBe(
      "Miss from cloudfront",
    );
  });

  it("answers unknown API routes with the JSON error format", async () => {
    const response = await fetch(`${stack?.edge.url}/api/no-such-route`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBeTypeOf("string");
    expect(body.error.message).toBeTypeOf("string");
  });

  it("refuses direct calls to the API's function URL; only the edge's signature gets through", async () => {
    const direct = await fetch(`${stack?.functionUrl.url}/api/health`);
    expect(direct.status).toBe(403);
    expect(direct.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    const asTheStackUser = await oacFetch(stack?.functionUrl.url ?? "", "/api/health");
    expect(asTheStackUser.status).toBe(403);
  });

  it("passes the page's body hash through the edge's signature: the API client gets the API's answer", async () => {
    const edgeFetch: typeof fetch = (input, init) => fetch(new URL(String(input), stack?.edge.url), init);
    const error = await callApi("/api/health", {
      method: "POST",
      body: { hello: 1 },
      fetch: edgeFetch,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 405, code: "method_not_allowed" });
    // Without the hash OAC signs an empty payload and the function URL refuses, as Lambda does.
    const unhashed = await fetch(`${stack?.edge.url}/api/health`, {
      method: "POST",
      body: JSON.stringify({ hello: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(unhashed.status).toBe(403);
  });

  it("answers an API path that does not decode with a 4xx in the JSON error format", async () => {
    const response = await fetch(`${stack?.edge.url}/api/%ff`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toBeTypeOf("string");
  });

  it("answers a cached page while a Data API statement sleeps", async () => {
    await fetch(`${stack?.edge.url}/`);
    const client = new RDSDataClient(standInClientConfig(stack?.dataApi.url ?? ""));
    let sleeperDone = false;
    const sleeper = client
      .send(new ExecuteStatementCommand({ ...localDatabase, sql: "SELECT pg_sleep(5)" }))
      .finally(() => {
        sleeperDone = true;
      });
    // Ordered, not timed: the page must arrive while the 5 s statement is still running.
    const page = await fetch(`${stack?.edge.url}/`);
    expect(page.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(sleeperDone).toBe(false);
    await sleeper;
    client.destroy();
  });

  it("keeps its data across a restart", async () => {
    const lines: string[] = [];
    stack = await testStack?.restart({ progress: (line) => lines.push(line) });
    if (!stack) throw new Error("the stack did not start");
    expect(lines).toContain("database schema is up to date");
    expect(lines.some((line) => /site: 0 uploaded, \d+ unchanged, 0 removed/.test(line))).toBe(true);
    expect((await fetch(`${stack.edge.url}/`)).status).toBe(200);
    // The API is built per start: a restart in the same process reaches the new database ports.
    const health = await fetch(`${stack.edge.url}/api/health`);
    expect(health.status).toBe(200);
  }, 120_000);
});
