// The API through its real Lambda entry shape: the function URL stand-in, the adapter, the Hono app and
// the Data API stand-in behind it.
import { readdir } from "node:fs/promises";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import { startFunctionUrlStandIn } from "../../infra/local/function-url/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { createApp, validateBody } from "../../origin/api/app.ts";
import { badRequest } from "../../origin/api/errors.ts";
import { createApiHandler } from "../../origin/api/handler.ts";
import type { FunctionUrlEvent } from "../../origin/aws/function-url-event.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { migrate, splitStatements } from "../../origin/db/migrate.ts";
import { oacFetch, sha256Hex } from "./oac-fetch.ts";

let dataApi: RunningService;
let api: RunningService;
let client: RDSDataClient;
const logged: string[] = [];
const events: FunctionUrlEvent[] = [];

beforeAll(async () => {
  dataApi = await startDataApiStandIn({});
  client = new RDSDataClient({ endpoint: dataApi.url, region: localRegion, credentials: localCredentials });
  const database = createDatabase({ ...localDatabase, client });
  const handler = createApiHandler({
    database,
    version: "9.9.9",
    log: (line) => logged.push(line),
    extend: (routes) => {
      routes.post("/api/echo", async (context) => {
        const body = await validateBody(
          context.req.raw,
          v.object({ name: v.pipe(v.string(), v.minLength(1, "Say who signs.")) }),
        );
        return context.json({ hello: body.name });
      });
      routes.get("/api/refuse", () => {
        throw badRequest("bad_card", "That card cannot be signed.", "cardId");
      });
      routes.get("/api/hono-refusal", () => {
        throw new HTTPException(415, { message: "Send JSON." });
      });
      routes.get("/api/explode", () => {
        throw new Error("secret detail: password=hunter2");
      });
    },
  });
  api = await startFunctionUrlStandIn({
    signing: { region: localRegion, credentials: [localCredentials] },
    handler: async (event, context) => {
      events.push(event);
      return handler(event, context);
    },
  });
});

afterAll(async () => {
  await api?.close();
  client?.destroy();
  await dataApi?.close();
});

/** A call as the edge makes it: signed, with the viewer's body hash. */
const call = async (
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  oacFetch(api.url, path, {
    ...init,
    headers: {
      ...init.headers,
      ...(init.body !== undefined ? { "x-amz-content-sha256": await sha256Hex(init.body) } : {}),
    },
  });

describe("the API", () => {
  it("reports health without naming the database build, and never caches it", async () => {
    const response = await call("/api/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({
      status: "ok",
      version: "9.9.9",
      database: { reachable: true },
    });
  });

  it("answers unknown routes 404 and wrong methods 405 with Allow, in the JSON error format", async () => {
    const missing = await call("/api/nothing");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "not_found", message: "There is no /api/nothing." },
    });
    const wrong = await call("/api/health", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });

  it("answers bad input with 400 naming the field, and oversized bodies with 413", async () => {
    const malformed = await call("/api/echo", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    const invalid = await call("/api/echo", {
      method: "POST",
      body: JSON.stringify({ name: "" }),
      headers: { "content-type": "application/json" },
    });
    expect(await invalid.json()).toEqual({
      error: { code: "invalid_input", message: "Say who signs.", field: "name" },
    });
    const valid = await call("/api/echo", {
      method: "POST",
      body: JSON.stringify({ name: "Ana <3" }),
      headers: { "content-type": "application/json" },
    });
    expect(await valid.json()).toEqual({ hello: "Ana <3" });
    const large = await call("/api/echo", {
      method: "POST",
      body: "x".repeat(300 * 1024),
      headers: { "content-type": "application/json" },
    });
    expect(large.status).toBe(413);
    const refused = await call("/api/refuse");
    expect(await refused.json()).toEqual({
      error: { code: "bad_card", message: "That card cannot be signed.", field: "cardId" },
    });
  });

  it("gives Hono's own refusals the JSON error format too", async () => {
    const response = await call("/api/hono-refusal");
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: { code: "unsupported_media_type", message: "Send JSON." },
    });
  });

  it("answers a path that does not decode with 400 in the JSON error format, not a 5xx", async () => {
    for (const path of ["/api/%ff", "/api/%", "/api/%e2%82", "/api/health%c0%af"]) {
      const response = await call(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        error: { code: "invalid_path", message: "The path is not valid percent-encoded UTF-8." },
      });
    }
  });

  it("answers an unexpected failure with 500 and a request id only; the detail goes to the log", async () => {
    const response = await call("/api/explode");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    const body = JSON.parse(text) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("internal");
    expect(logged.some((line) => line.includes(body.error.requestId) && line.includes("hunter2"))).toBe(true);
  });

  it("receives the function URL payload 2.0 event", async () => {
    await call("/api/health?tag=a&tag=b", { headers: { cookie: "a=1; b=2", "x-card": "c1" } });
    const event = events.at(-1);
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/api/health",
      rawQueryString: "tag=a&tag=b",
      cookies: ["a=1", "b=2"],
      queryStringParameters: { tag: "a,b" },
      isBase64Encoded: false,
      requestContext: { http: { method: "GET", path: "/api/health" }, stage: "$default" },
    });
    expect(event?.headers["x-card"]).toBe("c1");
    expect(event?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("reports the database unreachable with 503 and no detail", async () => {
    const unreachable = createApp({
      database: createDatabase({
        ...localDatabase,
        client: new RDSDataClient({
          endpoint: "http://127.0.0.1:9",
          region: localRegion,
          credentials: localCredentials,
          maxAttempts: 1,
        }),
      }),
      version: "9.9.9",
      log: () => {},
    });
    const response = await unreachable.request("/api/health");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "unavailable",
      version: "9.9.9",
      database: { reachable: false },
    });
  });
});

describe("migrations", () => {
  it("apply once through the Data API and create the tables", async () => {
    const database = createDatabase({ ...localDatabase, client });
    const migrations = (await readdir("origin/db/migrations"))
      .filter((name) => name.endsWith(".sql"))
      .toSorted();
    expect(migrations[0]).toBe("0001_initial.sql");
    expect(await migrate(database)).toEqual(migrations);
    expect(await migrate(database)).toEqual([]);
    const tables = await database.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((table) => table.name)).toEqual([
      "cards",
      "deliveries",
      "designs",
      "schema_migrations",
      "signatures",
    ]);
  });

  it("split statements only at top-level semicolons", () => {
    expect(
      splitStatements(
        "SELECT 'a;b'; -- c;\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
      ),
    ).toEqual(["SELECT 'a;b'", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql"]);
  });
});
