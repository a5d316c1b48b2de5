// The local edge end to end: a real origin server behind it, a test declaration, a movable clock.
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CachePolicyDeclaration, DistributionDeclaration } from "../../edge/distribution.ts";
import { accessLogFields, parseAccessLog } from "../../infra/local/edge/access-log.ts";
import { type LocalEdge, startLocalEdge } from "../../infra/local/edge/server.ts";
import { TestOrigin } from "./edge-test-origin.ts";

const policy: CachePolicyDeclaration = {
  name: "Test",
  minTtlSeconds: 0,
  defaultTtlSeconds: 60,
  maxTtlSeconds: 3600,
  queryStrings: { behavior: "allowList", names: ["v"] },
  headers: { behavior: "allowList", names: ["x-variant"] },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: true, brotli: true },
};

const base = {
  originId: "test",
  cachePolicy: policy,
  // Headers a viewer function adds reach the origin only when a policy names them, as in CloudFront.
  originRequestPolicy: {
    name: "TestForwarding",
    queryStrings: { behavior: "none" },
    headers: { behavior: "allowList", names: ["x-viewer-request", "x-trace"] },
    cookies: { behavior: "none" },
  },
  allowedMethods: "ALL",
  viewerProtocolPolicy: "redirect-to-https",
  compress: true,
} as const;

const triggers = "test/fixtures/edge-pipeline/triggers.ts";
const testDistribution: DistributionDeclaration = {
  comment: "edge tests",
  origins: [
    {
      id: "test",
      kind: "lambda-function-url",
      function: "api",
      connection: { attempts: 1, connectionTimeoutSeconds: 1, readTimeoutSeconds: 1 },
    },
  ],
  behaviours: [
    {
      ...base,
      pathPattern: "/functions/*",
      functions: {
        viewerRequest: {
          kind: "cloudfront-function",
          name: "test-vreq",
          sourceFile: "test/fixtures/edge-pipeline/viewer-request.js",
        },
        viewerResponse: {
          kind: "cloudfront-function",
          name: "test-vres",
          sourceFile: "test/fixtures/edge-pipeline/viewer-response.js",
        },
      },
    },
    {
      ...base,
      pathPattern: "/lambda/*",
      functions: {
        viewerRequest: {
          kind: "lambda-edge",
          name: "test-l",
          moduleFile: triggers,
          exportName: "viewerRequest",
        },
        originRequest: {
          kind: "lambda-edge",
          name: "test-l",
          moduleFile: triggers,
          exportName: "originRequest",
        },
        originResponse: {
          kind: "lambda-edge",
          name: "test-l",
          moduleFile: triggers,
          exportName: "originResponse",
        },
        viewerResponse: {
          kind: "lambda-edge",
          name: "test-l",
          moduleFile: triggers,
          exportName: "viewerResponse",
        },
      },
    },
    { ...base, pathPattern: "*", functions: {} },
  ],
  customErrorResponses: [],
};

let origin: TestOrigin;
let edge: LocalEdge;
let clock = Date.parse("2026-11-24T12:00:00Z");
let logDirectory: string;
const logged: string[] = [];

beforeAll(async () => {
  origin = new TestOrigin();
  await origin.start();
  logDirectory = await mkdtemp(join(tmpdir(), "edge-logs-"));
  edge = await startLocalEdge({
    distribution: testDistribution,
    origins: { test: { url: origin.url } },
    repositoryRoot: process.cwd(),
    accessLogDirectory: logDirectory,
    now: () => clock,
    log: (message) => logged.push(message),
  });
});

afterAll(async () => {
  await edge?.close();
  await origin?.stop();
});

beforeEach(() => {
  edge.cache.clear();
  origin.answers.clear();
  origin.seen.length = 0;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${edge.url}${path}`, { headers });

describe("cache semantics", () => {
  it("misses, then hits with Age, without a second origin trip", async () => {
    origin.answers.set("/a", () => ({ body: "A", headers: { "cache-control": "max-age=100" } }));
    const first = await get("/a");
    expect(first.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(await first.text()).toBe("A");
    clock += 7000;
    const second = await get("/a");
    expect(second.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(second.headers.get("age")).toBe("7");
    expect(second.headers.get("via")).toMatch(/^1\.1 [0-9a-f]+\.cloudfront\.net \(CloudFront\)$/);
    expect(second.headers.get("x-amz-cf-id")).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(origin.hits("/a")).toBe(1);
  });

  it("expires after the TTL, clamped by the policy, and uses the default TTL without headers", async () => {
    origin.answers.set("/long", () => ({ body: "L", headers: { "cache-control": "max-age=999999" } }));
    origin.answers.set("/plain", () => ({ body: "P" }));
    await get("/long");
    await get("/plain");
    clock += 3_599_000;
    expect((await get("/long")).headers.get("x-cache")).toBe("Hit from cloudfront");
    clock += 2000;
    expect((await get("/long")).headers.get("x-cache")).toBe("Miss from cloudfront");
    expect((await get("/plain")).headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(origin.hits("/plain")).toBe(2);
  });

  it("prefers s-maxage to max-age", async () => {
    origin.answers.set("/s", () => ({ body: "S", headers: { "cache-control": "max-age=5, s-maxage=30" } }));
    await get("/s");
    clock += 20_000;
    expect((await get("/s")).headers.get("x-cache")).toBe("Hit from cloudfront");
  });

  it("does not store no-store or private responses when the minimum TTL is 0", async () => {
    origin.answers.set("/ns", () => ({ body: "N", headers: { "cache-control": "no-store" } }));
    origin.answers.set("/pv", () => ({ body: "P", headers: { "cache-control": "private, max-age=600" } }));
    for (const path of ["/ns", "/ns", "/pv", "/pv"])
      expect((await get(path)).headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(origin.hits("/ns")).toBe(2);
    expect(origin.hits("/pv")).toBe(2);
  });

  it("revalidates an expired object with its validators: 304 from the origin is a RefreshHit", async () => {
    let version = 0;
    origin.answers.set("/r", (request) =>
      request.headers["if-none-match"] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', "cache-control": "max-age=10" } }
        : { body: `body ${++version}`, headers: { etag: '"v1"', "cache-control": "max-age=10" } },
    );
    await get("/r");
    clock += 11_000;
    const refreshed = await get("/r");
    expect(refreshed.headers.get("x-cache")).toBe("RefreshHit from cloudfront");
    expect(await refreshed.text()).toBe("body 1");
    expect(origin.seen.at(-1)?.headers["if-none-match"]).toBe('"v1"');
    expect((await get("/r")).headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(origin.hits("/r")).toBe(2);
  });

  it("keys on allowlisted query strings and headers only", async () => {
    origin.answers.set("/k", (request) => ({ body: `${request.url} ${request.headers["x-variant"] ?? ""}` }));
    await get("/k?v=1&utm=a");
    expect((await get("/k?v=1&utm=b")).headers.get("x-cache")).toBe("Hit from cloudfront");
    expect((await get("/k?v=2")).headers.get("x-cache")).toBe("Miss from cloudfront");
    const variant = await get("/k?v=1", { "x-variant": "dark" });
    expect(variant.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(await variant.text()).toBe("/k?v=1 dark");
    // Values outside the policy never reach the origin.
    expect(origin.seen.every((entry) => !entry.url.includes("utm"))).toBe(true);
  });

  it("collapses concurrent misses for one key into a single origin request", async () => {
    origin.answers.set("/slow", () => ({
      body: "slow",
      delayMs: 150,
      headers: { "cache-control": "max-age=60" },
    }));
    const responses = await Promise.all(Array.from({ length: 5 }, () => get("/slow")));
    expect(origin.hits("/slow")).toBe(1);
    const results = responses.map((response) => response.headers.get("x-cache")).toSorted();
    expect(results).toEqual([...Array(4).fill("Hit from cloudfront"), "Miss from cloudfront"]);
    expect(await Promise.all(responses.map((response) => response.text()))).toEqual(Array(5).fill("slow"));
  });

  it("sends concurrent requests on when the object turns out uncacheable", async () => {
    origin.answers.set("/slow-ns", () => ({
      body: "x",
      delayMs: 100,
      headers: { "cache-control": "no-store" },
    }));
    await Promise.all(Array.from({ length: 3 }, () => get("/slow-ns")));
    expect(origin.hits("/slow-ns")).toBe(3);
  });

  it("caches origin errors for the error-caching TTL", async () => {
    const first = await get("/missing");
    expect(first.status).toBe(404);
    expect(first.headers.get("x-cache")).toBe("Error from cloudfront");
    await get("/missing");
    expect(origin.hits("/missing")).toBe(1);
    clock += 11_000;
    await get("/missing");
    expect(origin.hits("/missing")).toBe(2);
  });

  it("never caches POST and forwards its body", async () => {
    origin.answers.set("/post", () => ({ body: "posted", headers: { "cache-control": "max-age=60" } }));
    await fetch(`${edge.url}/post`, { method: "POST", body: "one" });
    const second = await fetch(`${edge.url}/post`, { method: "POST", body: "two" });
    expect(second.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(origin.hits("/post")).toBe(2);
  });

  it("compresses text for viewers that accept it and answers conditional requests with 304", async () => {
    origin.answers.set("/big.txt", () => ({
      body: "card ".repeat(1000),
      headers: { etag: '"big"', "cache-control": "max-age=60" },
    }));
    const compressed = await fetch(`${edge.url}/big.txt`, { headers: { "accept-encoding": "gzip" } });
    expect(compressed.headers.get("content-encoding")).toBe("gzip");
    expect(await compressed.text()).toBe("card ".repeat(1000));
    const identity = await fetch(`${edge.url}/big.txt`, { headers: { "accept-encoding": "identity" } });
    expect(identity.headers.get("content-encoding")).toBeNull();
    const notModified = await fetch(`${edge.url}/big.txt`, {
      headers: { "accept-encoding": "identity", "if-none-match": '"big"' },
    });
    expect(notModified.status).toBe(304);
  });
});

describe("CloudFront Functions on the viewer events", () => {
  it("runs viewer-request before the origin and viewer-response after", async () => {
    origin.answers.set("/functions/page", (request) => ({
      body: String(request.headers["x-viewer-request"]),
    }));
    const response = await get("/functions/page");
    expect(await response.text()).toBe("ran");
    expect(response.headers.get("x-viewer-response")).toBe("ran");
  });

  it("returns a generated redirect without going to the origin or caching it", async () => {
    const response = await fetch(`${edge.url}/functions/redirect`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/functions/target");
    expect(response.headers.get("x-cache")).toBe("FunctionGeneratedResponse from cloudfront");
    expect(response.headers.get("x-viewer-response")).toBeNull();
    expect(origin.seen).toHaveLength(0);
  });

  it("answers 503 when the function throws and 502 when it sets a read-only header", async () => {
    expect((await get("/functions/throw")).status).toBe(503);
    expect((await get("/functions/host")).status).toBe(502);
    expect(origin.seen).toHaveLength(0);
    expect(logged.some((line) => line.includes("thrown on purpose"))).toBe(true);
  });

  it("skips viewer-response when the origin answers 400 or more", async () => {
    const response = await get("/functions/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("x-viewer-response")).toBeNull();
  });
});

describe("Lambda@Edge triggers", () => {
  it("runs the four triggers in CloudFront's order, and only the viewer ones on a hit", async () => {
    // Each trigger runs in its own worker and counts its own invocations.
    const count = (value: string | null | undefined) => Number(value?.split("#")[1]);
    for (const path of ["/lambda/page", "/lambda/other"])
      origin.answers.set(path, (request) => ({
        body: String(request.headers["x-trace"]),
        headers: { "cache-control": "max-age=60" },
      }));
    const miss = await get("/lambda/page");
    const trace = await miss.text();
    expect(trace).toMatch(/^viewer-request,origin-request#\d+$/);
    expect(miss.headers.get("x-origin-response")).toMatch(/^#\d+$/);
    expect(miss.headers.get("x-viewer-response")).toMatch(/^#\d+$/);

    const hit = await get("/lambda/page");
    expect(hit.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(origin.hits("/lambda/page")).toBe(1);
    expect(count(hit.headers.get("x-viewer-response"))).toBe(
      count(miss.headers.get("x-viewer-response")) + 1,
    );

    // The next miss shows the origin triggers ran exactly once since the first: not on the hit.
    const next = await get("/lambda/other");
    expect(count(await next.text())).toBe(count(trace) + 1);
    expect(count(next.headers.get("x-origin-response"))).toBe(
      count(miss.headers.get("x-origin-response")) + 1,
    );
  });

  it("caches a response generated by origin-request and skips the function on a hit", async () => {
    const first = await get("/lambda/generated");
    const body = await first.text();
    expect(body).toMatch(/^generated by origin-request #\d+$/);
    expect(first.headers.get("x-origin-response")).toBeNull();
    const second = await get("/lambda/generated");
    expect(second.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(await second.text()).toBe(body);
    expect(origin.seen).toHaveLength(0);
  });

  it("answers 502 when viewer-response changes the status", async () => {
    origin.answers.set("/lambda/status", () => ({ body: "ok" }));
    expect((await get("/lambda/status")).status).toBe(502);
  });

  it("skips viewer-response on origin errors but runs origin-response", async () => {
    const response = await get("/lambda/absent");
    expect(response.status).toBe(404);
    expect(response.headers.get("x-origin-response")).not.toBeNull();
    expect(response.headers.get("x-viewer-response")).toBeNull();
  });
});

describe("failures", () => {
  it("answers 504 when the origin is too slow and 502 when it is down, and logs both", async () => {
    origin.answers.set("/too-slow", () => ({ body: "late", delayMs: 1500 }));
    const slow = await get("/too-slow");
    expect(slow.status).toBe(504);
    expect(await slow.text()).toContain("Generated by cloudfront (CloudFront)");

    const down = await startLocalEdge({
      distribution: testDistribution,
      origins: { test: { url: "http://127.0.0.1:9" } },
      repositoryRoot: process.cwd(),
      log: (message) => logged.push(message),
    });
    try {
      const response = await fetch(`${down.url}/anything`);
      expect(response.status).toBe(502);
      expect(response.headers.get("x-cache")).toBe("Error from cloudfront");
      expect(logged.some((line) => line.includes("OriginConnectError"))).toBe(true);
    } finally {
      await down.close();
    }
  });

  it("replaces an origin error with the custom error page, fetched through the cache", async () => {
    origin.answers.set("/sorry.html", () => ({
      body: "sorry page",
      headers: { "content-type": "text/html" },
    }));
    const withPage = await startLocalEdge({
      distribution: {
        ...testDistribution,
        customErrorResponses: [
          {
            errorCode: 404,
            responsePagePath: "/sorry.html",
            responseCode: 404,
            errorCachingMinTtlSeconds: 10,
          },
        ],
      },
      origins: { test: { url: origin.url } },
      repositoryRoot: process.cwd(),
    });
    try {
      for (const path of ["/gone", "/also-gone"]) {
        const response = await fetch(`${withPage.url}${path}`);
        expect(response.status).toBe(404);
        expect(await response.text()).toBe("sorry page");
      }
      expect(origin.hits("/sorry.html")).toBe(1);
    } finally {
      await withPage.close();
    }
  });

  it("refuses methods the behaviour does not allow", async () => {
    const strict = await startLocalEdge({
      distribution: {
        ...testDistribution,
        behaviours: [{ ...base, allowedMethods: "GET_HEAD", pathPattern: "*", functions: {} }],
      },
      origins: { test: { url: origin.url } },
      repositoryRoot: process.cwd(),
    });
    try {
      expect((await fetch(`${strict.url}/x`, { method: "DELETE" })).status).toBe(403);
      expect(origin.seen).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});

describe("access log", () => {
  it("writes CloudFront's standard format: headers, 33 fields, result types", async () => {
    origin.answers.set("/logged", () => ({ body: "L", headers: { "cache-control": "max-age=60" } }));
    await get("/logged?x=1", { "user-agent": "Mozilla/5.0 (Test) <card>" });
    await get("/logged?x=1");
    await edge.accessLog?.flush();
    const files = await readdir(logDirectory);
    expect(files.every((file) => /^E1LOCALGOODGREETS\.\d{4}-\d{2}-\d{2}-\d{2}\.[a-z0-9]+$/.test(file))).toBe(
      true,
    );
    const text = (await Promise.all(files.map((file) => readFile(join(logDirectory, file), "utf8")))).join(
      "",
    );
    expect(text.startsWith("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip")).toBe(true);
    const dataLines = text.split("\n").filter((line) => line && !line.startsWith("#"));
    expect(dataLines.every((line) => line.split("\t").length === accessLogFields.length)).toBe(true);
    const records = parseAccessLog(text).filter((record) => record["cs-uri-stem"] === "/logged");
    expect(records.map((record) => record["x-edge-result-type"])).toEqual(["Miss", "Hit"]);
    const [first] = records;
    expect(first?.["cs-uri-query"]).toBe("x=1");
    expect(first?.["cs(User-Agent)"]).toBe("Mozilla/5.0%20(Test)%20%3Ccard%3E");
    expect(first?.["sc-status"]).toBe("200");
    expect(first?.["cs-method"]).toBe("GET");
    expect(first?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number(first?.["time-taken"])).toBeGreaterThanOrEqual(0);
  });
});
