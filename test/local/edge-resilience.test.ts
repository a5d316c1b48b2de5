// The local edge under hostile or unlucky traffic: CloudFront's request limits, bodies over the cap,
// range requests, origins that fail (stale-while-revalidate, stale-if-error, connection attempts) and the
// response headers policy on every kind of response.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type BehaviourDeclaration,
  type CachePolicyDeclaration,
  cachingDisabled,
  type DistributionDeclaration,
  goodGreetsHeaders,
} from "../../edge/distribution.ts";
import { parseAccessLog } from "../../infra/local/edge/access-log.ts";
import { type LocalEdge, startLocalEdge } from "../../infra/local/edge/server.ts";
import { fixturePage } from "../fixtures/edge-pipeline/site-not-found.ts";
import { TestOrigin } from "./edge-test-origin.ts";

const pages: CachePolicyDeclaration = {
  name: "TestPages",
  minTtlSeconds: 0,
  defaultTtlSeconds: 60,
  maxTtlSeconds: 3600,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: false, brotli: false },
};

const base = {
  originId: "test",
  cachePolicy: pages,
  allowedMethods: "GET_HEAD",
  viewerProtocolPolicy: "redirect-to-https",
  compress: false,
  responseHeadersPolicy: goodGreetsHeaders,
  functions: {},
} as const satisfies Omit<BehaviourDeclaration, "pathPattern">;

/** Connection settings low enough for a test; attempts × timeout bounds how long a dead origin costs. */
const connection = { attempts: 3, connectionTimeoutSeconds: 2, readTimeoutSeconds: 2 } as const;

const declaration: DistributionDeclaration = {
  comment: "edge resilience tests",
  origins: [{ id: "test", kind: "lambda-function-url", function: "api", connection }],
  behaviours: [
    {
      ...base,
      pathPattern: "/api/*",
      cachePolicy: cachingDisabled,
      allowedMethods: "ALL",
      originRequestPolicy: {
        name: "AllViewerExceptHostHeader",
        queryStrings: { behavior: "all" },
        headers: { behavior: "allViewerExceptHost" },
        cookies: { behavior: "all" },
      },
    },
    {
      ...base,
      pathPattern: "/functions/*",
      functions: {
        viewerRequest: {
          kind: "cloudfront-function",
          name: "test-vreq",
          sourceFile: "test/fixtures/edge-pipeline/viewer-request.js",
        },
      },
    },
    {
      ...base,
      pathPattern: "/site/*",
      functions: {
        originResponse: {
          kind: "lambda-edge",
          name: "test-site-not-found",
          moduleFile: "test/fixtures/edge-pipeline/site-not-found.ts",
          exportName: "handler",
        },
      },
    },
    { ...base, pathPattern: "*" },
  ],
  customErrorResponses: [],
};

let origin: TestOrigin;
let edge: LocalEdge;
let clock = Date.parse("2026-11-24T12:00:00Z");
let logDirectory: string;
const diagnostics: string[] = [];

async function startEdge(originUrl: string): Promise<LocalEdge> {
  return startLocalEdge({
    distribution: declaration,
    origins: { test: { url: originUrl } },
    repositoryRoot: process.cwd(),
    accessLogDirectory: logDirectory,
    now: () => clock,
    log: (message) => diagnostics.push(message),
  });
}

beforeAll(async () => {
  origin = new TestOrigin();
  await origin.start();
  logDirectory = await mkdtemp(join(tmpdir(), "edge-resilience-logs-"));
  edge = await startEdge(origin.url);
});

afterAll(async () => {
  await edge?.close();
  await origin?.stop();
});

beforeEach(() => {
  edge.cache.clear();
  origin.answers.clear();
  origin.seen.length = 0;
  diagnostics.length = 0;
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The edge ended the connection after answering. */
  closed: boolean;
}

/** A request sent byte for byte (fetch would normalise the path and refuse some headers). */
function raw(
  target: string,
  options: {
    method?: string;
    path: string;
    headers?: [string, string][];
    body?: Buffer | Readable;
  },
): Promise<RawResponse> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: url.hostname,
      port: url.port,
      method: options.method ?? "GET",
      path: options.path,
      // Raw header lists get no Host from node:http; a test that sends its own gets exactly those.
      headers: (options.headers?.some(([name]) => name.toLowerCase() === "host")
        ? options.headers
        : [["Host", url.host], ["Connection", "keep-alive"], ...(options.headers ?? [])]
      ).flat(),
      agent: false,
    });
    outgoing.on("error", reject);
    outgoing.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      let closed = false;
      const socket = incoming.socket;
      socket.once("end", () => {
        closed = true;
      });
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        // Give a closing socket its FIN before deciding it stayed open.
        setImmediate(() => {
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
            closed: closed || incoming.headers.connection === "close",
          });
          socket.destroy();
        });
      });
    });
    const body = options.body;
    if (body instanceof Readable) {
      body.on("error", () => outgoing.destroy());
      body.pipe(outgoing);
    } else outgoing.end(body);
  });
}

async function accessLogRecords() {
  await edge.accessLog?.flush();
  const files = await readdir(logDirectory);
  const text = (await Promise.all(files.map((file) => readFile(join(logDirectory, file), "utf8")))).join("");
  return text === "" ? [] : parseAccessLog(text);
}

const securityHeaderNames = [
  "content-security-policy",
  "strict-transport-security",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "permissions-policy",
];

function expectSecurityHeaders(headers: IncomingHttpHeaders | Headers) {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  for (const name of securityHeaderNames) expect(get(name), name).toBeTruthy();
  expect(get("x-content-type-options")).toBe("nosniff");
  expect(get("server")).toBe("CloudFront");
}

describe("CloudFront's request limits", () => {
  it("answers 413 and closes the connection for a URL over 8,192 bytes, logged only in the diagnostic log", async () => {
    const path = `/long-${"a".repeat(9000)}`;
    const response = await raw(edge.url, { path });
    expect(response.status).toBe(413);
    expect(response.closed).toBe(true);
    expect(response.body.toString()).toContain("Generated by cloudfront (CloudFront)");
    expectSecurityHeaders(response.headers);
    expect(origin.seen).toHaveLength(0);
    expect(diagnostics.some((line) => line.startsWith("413") && line.includes("8192"))).toBe(true);
    expect((await accessLogRecords()).some((record) => record["cs-uri-stem"].startsWith("/long-"))).toBe(
      false,
    );
  });

  it("serves a URL just under the limit", async () => {
    origin.answers.set(`/fine-${"b".repeat(8000)}`, () => ({ body: "fine" }));
    const response = await raw(edge.url, { path: `/fine-${"b".repeat(8000)}` });
    expect(response.status).toBe(200);
    expect(response.closed).toBe(false);
  });

  it("answers 413, not Node's bare 431, when URL and headers pass 20,480 bytes", async () => {
    for (const size of [21_000, 100_000]) {
      const response = await raw(edge.url, { path: "/big-headers", headers: [["X-Big", "x".repeat(size)]] });
      expect(response.status, `${size}-byte header`).toBe(413);
      expect(response.closed).toBe(true);
      expect(response.body.toString()).toContain("Generated by cloudfront (CloudFront)");
    }
    expect(origin.seen).toHaveLength(0);
    expect((await accessLogRecords()).some((record) => record["cs-uri-stem"] === "/big-headers")).toBe(false);
  });

  it("answers 400 to a request with two Host headers (RFC 9112 §3.2)", async () => {
    const response = await raw(edge.url, {
      path: "/two-hosts",
      headers: [
        ["Host", "a.example"],
        ["Host", "b.example"],
      ],
    });
    expect(response.status).toBe(400);
    expect(origin.seen).toHaveLength(0);
  });
});

describe("request bodies", () => {
  it("streams a body to the origin unchanged", async () => {
    origin.answers.set("/api/echo", (request) => ({ body: String(request.headers["content-length"]) }));
    const body = Buffer.alloc(3 * 1024 * 1024, "greeting card ");
    const response = await raw(edge.url, {
      method: "POST",
      path: "/api/echo",
      headers: [["Content-Length", String(body.length)]],
      body,
    });
    expect(response.status).toBe(200);
    const seen = origin.seen.find((entry) => entry.url === "/api/echo");
    expect(
      createHash("sha256")
        .update(seen?.body ?? "")
        .digest("hex"),
    ).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("answers 413 with an access-log line to a declared body over 20 MB, without reading it", async () => {
    const response = await raw(edge.url, {
      method: "POST",
      path: "/api/declared",
      headers: [["Content-Length", String(21 * 1024 * 1024)]],
      body: Buffer.from("only the start"),
    });
    expect(response.status).toBe(413);
    expect(response.closed).toBe(true);
    expectSecurityHeaders(response.headers);
    expect(origin.hits("/api/declared")).toBe(0);
    const records = (await accessLogRecords()).filter((record) => record["cs-uri-stem"] === "/api/declared");
    expect(records.map((record) => record["sc-status"])).toEqual(["413"]);
  });

  it("answers 413 with an access-log line when a chunked body passes 20 MB on the way", async () => {
    const chunk = Buffer.alloc(1024 * 1024, "z");
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 1;
        this.push(sent > 22 ? null : chunk);
      },
    });
    origin.answers.set("/api/chunked", () => ({ body: "should not be used" }));
    const response = await raw(edge.url, { method: "POST", path: "/api/chunked", body }).catch(
      (error: unknown) => error,
    );
    // The edge may close while the client is still writing; what arrived first must be the 413.
    if (response instanceof Error) expect(response.message).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    else expect((response as RawResponse).status).toBe(413);
    await vi.waitFor(async () => {
      const records = (await accessLogRecords()).filter((record) => record["cs-uri-stem"] === "/api/chunked");
      expect(records.map((record) => record["sc-status"])).toEqual(["413"]);
    });
  });
});

describe("range requests", () => {
  const object = "0123456789abcdefghijklmnopqrstuvwxyz";
  beforeEach(() => {
    origin.answers.set("/ranged.txt", () => ({
      body: object,
      headers: { etag: '"r1"', "cache-control": "max-age=600" },
    }));
  });
  const ranged = (range: string, extra: [string, string][] = []) =>
    raw(edge.url, { path: "/ranged.txt", headers: [["Range", range], ...extra] });

  it("answers one range with 206 and Content-Range, from one whole-object fetch", async () => {
    const first = await ranged("bytes=0-4");
    expect(first.status).toBe(206);
    expect(first.headers["content-range"]).toBe(`bytes 0-4/${object.length}`);
    expect(first.body.toString()).toBe("01234");
    const suffix = await ranged("bytes=-3");
    expect(suffix.status).toBe(206);
    expect(suffix.body.toString()).toBe("xyz");
    const open = await ranged("bytes=30-");
    expect(open.body.toString()).toBe("uvwxyz");
    expect(origin.hits("/ranged.txt")).toBe(1);
    expect(origin.seen[0]?.headers.range).toBeUndefined();
  });

  it("answers 416 with the object's length when no range is satisfiable", async () => {
    const response = await ranged("bytes=100-200");
    expect(response.status).toBe(416);
    expect(response.headers["content-range"]).toBe(`bytes */${object.length}`);
  });

  it("answers several ranges as multipart/byteranges", async () => {
    const response = await ranged("bytes=0-1,10-11");
    expect(response.status).toBe(206);
    const type = String(response.headers["content-type"]);
    expect(type).toMatch(/^multipart\/byteranges; boundary=/);
    const text = response.body.toString();
    expect(text).toContain(`Content-Range: bytes 0-1/${object.length}\r\n\r\n01`);
    expect(text).toContain(`Content-Range: bytes 10-11/${object.length}\r\n\r\nab`);
  });

  it("sends the whole object when the ranges break CloudFront's rules or If-Range does not match", async () => {
    for (const range of ["bytes=10-11,0-1", "bytes=0-5,3-8", "bytes=5-2", "items=0-1"]) {
      const response = await ranged(range);
      expect(response.status, range).toBe(200);
      expect(response.body.toString()).toBe(object);
    }
    expect((await ranged("bytes=0-1", [["If-Range", '"old"']])).status).toBe(200);
    expect((await ranged("bytes=0-1", [["If-Range", '"r1"']])).status).toBe(206);
  });
});

describe("origins in trouble", () => {
  it("serves a stale object at once inside stale-while-revalidate and refreshes it behind", async () => {
    let version = 0;
    origin.answers.set("/swr", () => ({
      body: `v${++version}`,
      headers: { "cache-control": "max-age=60, stale-while-revalidate=30" },
    }));
    expect((await raw(edge.url, { path: "/swr" })).body.toString()).toBe("v1");
    clock += 70_000;
    const stale = await raw(edge.url, { path: "/swr" });
    expect(stale.body.toString()).toBe("v1");
    expect(stale.headers["x-cache"]).toBe("Hit from cloudfront");
    await vi.waitFor(() => expect(origin.hits("/swr")).toBe(2));
    await vi.waitFor(async () => expect((await raw(edge.url, { path: "/swr" })).body.toString()).toBe("v2"));
    // Past the window the viewer waits for the origin again.
    clock += 100_000;
    const late = await raw(edge.url, { path: "/swr" });
    expect(late.headers["x-cache"]).toBe("Miss from cloudfront");
    expect(late.body.toString()).toBe("v3");
  });

  it("serves a stale object when the origin answers 5xx inside stale-if-error", async () => {
    let healthy = true;
    origin.answers.set("/flaky", () =>
      healthy
        ? { body: "good page", headers: { "cache-control": "max-age=60, stale-if-error=300" } }
        : { status: 503, body: "down" },
    );
    await raw(edge.url, { path: "/flaky" });
    healthy = false;
    clock += 120_000;
    const stale = await raw(edge.url, { path: "/flaky" });
    expect(stale.status).toBe(200);
    expect(stale.body.toString()).toBe("good page");
    expect(stale.headers["x-cache"]).toBe("RefreshHit from cloudfront");
    clock += 300_000;
    expect((await raw(edge.url, { path: "/flaky" })).status).toBe(503);
  });

  it("keeps cached pages up after the origin stops, within stale-if-error, after its connection attempts", {
    timeout: 60_000,
  }, async () => {
    const doomed = new TestOrigin();
    await doomed.start();
    const doomedEdge = await startEdge(doomed.url);
    try {
      const paths = ["/catalog/a/", "/catalog/b/", "/catalog/c/"];
      for (const path of paths)
        doomed.answers.set(path, () => ({
          body: `page ${path}`,
          headers: { "cache-control": "max-age=60, stale-if-error=600", "content-type": "text/html" },
        }));
      for (const path of paths) expect((await raw(doomedEdge.url, { path })).status).toBe(200);
      await doomed.stop();
      clock += 120_000;
      for (const path of paths) {
        const startedAt = performance.now();
        const response = await raw(doomedEdge.url, { path });
        const elapsedMs = performance.now() - startedAt;
        expect(response.status).toBe(200);
        expect(response.body.toString()).toBe(`page ${path}`);
        expect(response.headers["x-cache"]).toBe("RefreshHit from cloudfront");
        // A refused connection fails fast; even timed-out attempts would stay within attempts × timeout.
        expect(elapsedMs).toBeLessThan(connection.attempts * connection.connectionTimeoutSeconds * 1000);
      }
      expect(diagnostics.some((line) => line.includes("OriginConnectError after 3 attempt(s)"))).toBe(true);
      // Past the window there is nothing to fall back on: CloudFront's own 502, security headers included.
      clock += 700_000;
      const gone = await raw(doomedEdge.url, { path: paths[0] ?? "/" });
      expect(gone.status).toBe(502);
      expectSecurityHeaders(gone.headers);
    } finally {
      await doomedEdge.close();
    }
  });
});

describe("the response headers policy", () => {
  it("adds the security headers and removes S3's own headers, naming CloudFront as the server", async () => {
    origin.answers.set("/from-s3.html", () => ({
      body: "<p>hi</p>",
      headers: {
        server: "AmazonS3",
        "x-amz-id-2": "abc",
        "x-amz-request-id": "req",
        "x-amz-server-side-encryption": "AES256",
        "x-amz-version-id": "null",
        "x-frame-options": "SAMEORIGIN",
        "content-security-policy": "default-src 'none'",
      },
    }));
    const response = await raw(edge.url, { path: "/from-s3.html" });
    expect(response.status).toBe(200);
    expectSecurityHeaders(response.headers);
    for (const name of ["x-amz-id-2", "x-amz-request-id", "x-amz-server-side-encryption", "x-amz-version-id"])
      expect(response.headers[name], name).toBeUndefined();
    // Overridden where the policy says so, the origin's own value kept where it does not.
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["content-security-policy"]).toBe("default-src 'none'");
  });

  it("is on origin errors, the edge's own errors and redirects", async () => {
    origin.answers.set("/api/nope", () => ({
      status: 404,
      body: JSON.stringify({ error: { code: "NotFound" } }),
      headers: { "content-type": "application/json" },
    }));
    const apiMissing = await raw(edge.url, { path: "/api/nope" });
    expect(apiMissing.status).toBe(404);
    expect(JSON.parse(apiMissing.body.toString())).toEqual({ error: { code: "NotFound" } });
    expectSecurityHeaders(apiMissing.headers);

    const refusedMethod = await raw(edge.url, { method: "DELETE", path: "/page" });
    expect(refusedMethod.status).toBe(403);
    expectSecurityHeaders(refusedMethod.headers);

    const redirect = await raw(edge.url, { path: "/functions/redirect" });
    expect(redirect.status).toBe(302);
    expectSecurityHeaders(redirect.headers);
  });
});

describe("the site's 404 page", () => {
  it("replaces S3's 403 and 404 with the site's page and status 404, cached for the error-caching TTL", async () => {
    const s3Error = (code: string) => ({
      body: `<?xml version="1.0"?><Error><Code>${code}</Code><BucketName>goodgreets-secret-bucket</BucketName></Error>`,
      headers: { "content-type": "application/xml", "x-amz-request-id": "r" },
    });
    origin.answers.set("/site/denied/index.html", () => ({ status: 403, ...s3Error("AccessDenied") }));
    origin.answers.set("/site/missing.html", () => ({ status: 404, ...s3Error("NoSuchKey") }));
    for (const path of ["/site/denied/index.html", "/site/missing.html"]) {
      const response = await raw(edge.url, { path });
      expect(response.status, path).toBe(404);
      expect(response.body.toString()).toBe(fixturePage);
      expect(response.body.toString()).not.toContain("goodgreets-secret-bucket");
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.headers["cache-control"]).toBe("public, max-age=10");
      expectSecurityHeaders(response.headers);
    }
    clock += 5_000;
    await raw(edge.url, { path: "/site/missing.html" });
    expect(origin.hits("/site/missing.html")).toBe(1);
    clock += 6_000;
    await raw(edge.url, { path: "/site/missing.html" });
    expect(origin.hits("/site/missing.html")).toBe(2);
  });

  it("leaves other statuses alone", async () => {
    origin.answers.set("/site/there.html", () => ({ body: "here" }));
    const response = await raw(edge.url, { path: "/site/there.html" });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("here");
  });
});

describe("paths the origin gets", () => {
  it("passes an undecodable path on as the viewer sent it", async () => {
    origin.answers.set("/api/%ff", () => ({ status: 400, body: "bad path" }));
    const response = await raw(edge.url, { path: "/api/%ff" });
    expect(response.status).toBe(400);
    expect(origin.seen.map((entry) => entry.url)).toEqual(["/api/%ff"]);
  });
});
