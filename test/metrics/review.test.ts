// The edge metrics review over known logs: every figure checked against counts made by construction.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { AccessLogWriter } from "../../infra/local/edge/access-log.ts";
import { reviewEdgeLogs } from "../../infra/metrics/review.ts";
import { jsonLinesFile, nearestRank, type SampleRequest, times, w3cFile, w3cValues } from "./sample-logs.ts";

const hour10 = (minute: number) => `2026-11-28T10:${String(minute).padStart(2, "0")}:07`;
const hour11 = (minute: number) => `2026-11-28T11:${String(minute).padStart(2, "0")}:30`;

/** Today's 33 fields, gzipped as CloudFront delivers them to S3. */
const current: SampleRequest[] = [
  ...Array.from({ length: 12 }, (_, index) => ({
    at: hour10(index),
    uri: "/img/card.jpg",
    query: `w=${(index + 1) * 100}&f=webp`,
    status: 200,
    result: "Miss" as const,
    bytes: 1000,
    timeTaken: 0.2,
    contentType: "image/webp",
  })),
  ...times(8, {
    at: hour10(20),
    uri: "/img/card.jpg",
    query: "w=100&f=webp",
    status: 200,
    result: "Hit",
    bytes: 1000,
    timeTaken: 0.002,
    contentType: "image/webp",
  }),
  ...times(5, {
    at: hour10(21),
    uri: "/",
    status: 200,
    result: "Hit",
    bytes: 500,
    timeTaken: 0.001,
    contentType: "text/html;charset=utf-8",
  }),
  {
    at: hour10(22),
    uri: "/",
    status: 200,
    result: "RefreshHit",
    bytes: 500,
    timeTaken: 0.01,
    contentType: "text/html;charset=utf-8",
  },
  ...times(4, {
    at: hour10(23),
    uri: "/api/cards",
    method: "POST",
    status: 201,
    result: "Miss",
    bytes: 300,
    timeTaken: 0.5,
    contentType: "application/json",
  }),
  ...times(2, {
    at: hour10(24),
    uri: "/api/cards",
    status: 502,
    result: "Error",
    detailed: "OriginConnectError",
    bytes: 200,
    timeTaken: 1.5,
    contentType: "text/html",
  }),
  { at: hour10(25), uri: "/old", status: 301, result: "Redirect", bytes: 100, timeTaken: 0.001 },
  { at: hour10(26), uri: "/api/cards", status: 503, result: "LimitExceeded", bytes: 100, timeTaken: 0.001 },
  {
    at: hour10(27),
    uri: "/api/cards",
    status: 503,
    result: "CapacityExceeded",
    bytes: 100,
    timeTaken: 0.001,
  },
];
/** A 24-field file from before 2017: no content type, no detailed result type. */
const older: SampleRequest[] = [
  ...times(2, { at: hour11(0), uri: "/", status: 200, result: "Miss", bytes: 500, timeTaken: 0.05 }),
  { at: hour11(1), uri: "/missing", status: 404, result: "Miss", bytes: 500, timeTaken: 0.05 },
];
/** Standard logging v2, JSON output. */
const v2: SampleRequest[] = times(2, {
  at: "2026-11-28T12:05:00",
  uri: "/_astro/app.js",
  status: 200,
  result: "Hit",
  bytes: 2000,
  timeTaken: 0.003,
  contentType: "text/javascript",
});
const all = [...current, ...older, ...v2];

const malformed = {
  tooFewFields: "2026-11-28\t10:30:00\tLAX1\t100",
  badStatus: w3cValues({ ...current[0], status: 0, uri: "/bad-status" } as SampleRequest)
    .map((value, index) => (index === 8 ? "abc" : value))
    .join("\t"),
  tooManyFields: `${w3cValues(older[0] as SampleRequest)
    .slice(0, 24)
    .join("\t")}\textra`,
  badJson: '{"date": "2026-11-28", "time": ',
};

let folder: string;
const now = new Date("2026-11-30T12:00:00Z");

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "edge-metrics-"));
  await writeFile(
    join(folder, "E2EXAMPLE.2026-11-28-10.a1b2c3d4.gz"),
    gzipSync(w3cFile(current, 33, ["", malformed.tooFewFields, malformed.badStatus])),
  );
  await writeFile(
    join(folder, "E2EXAMPLE.2016-11-28-11.e5f6a7b8"),
    w3cFile(older, 24, [malformed.tooManyFields]),
  );
  await writeFile(join(folder, "v2-2026-11-28-12.json.gz"), gzipSync(jsonLinesFile(v2, [malformed.badJson])));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const review = (options: { now?: Date; since?: Date; until?: Date } = {}) =>
  reviewEdgeLogs({ paths: [folder], behaviours: distribution.behaviours, now, ...options });

const isHit = (request: SampleRequest) => request.result === "Hit" || request.result === "RefreshHit";
const sum = (requests: SampleRequest[]) => requests.reduce((total, request) => total + request.bytes, 0);

describe("edge metrics review", () => {
  it("counts requests, lines and malformed lines across gzip, older field lists and v2 JSON", async () => {
    const metrics = await review();
    expect(metrics.input.files).toBe(3);
    expect(metrics.requests).toBe(all.length);
    expect(metrics.input.malformedLines).toBe(4);
    expect(metrics.input.lines).toBe(all.length + 4);
    // Line numbers count the two header lines and the blank line CloudFront never writes but a reader skips.
    expect(metrics.input.malformedExamples.slice(0, 2)).toEqual([
      {
        file: join(folder, "E2EXAMPLE.2016-11-28-11.e5f6a7b8"),
        line: 2 + older.length + 1,
        reason: "Expected Number of Columns: 24 Found: 25",
      },
      {
        file: join(folder, "E2EXAMPLE.2026-11-28-10.a1b2c3d4.gz"),
        line: 2 + current.length + 2,
        reason: "Expected Number of Columns: 33 Found: 4",
      },
    ]);
  });

  it("splits result types and works the hit ratio out of hits and misses only", async () => {
    const metrics = await review();
    const of = (result: SampleRequest["result"]) => all.filter((request) => request.result === result).length;
    expect(metrics.resultTypes).toEqual({
      hit: of("Hit"),
      refreshHit: of("RefreshHit"),
      miss: of("Miss"),
      error: 2,
      redirect: 1,
      limitExceeded: 1,
      capacityExceeded: 1,
      other: 0,
    });
    const hits = all.filter(isHit).length;
    expect(metrics.hitRatio).toBeCloseTo(hits / (hits + of("Miss")), 10);
    expect(metrics.bytes).toEqual({
      total: sum(all),
      fromCache: sum(all.filter(isHit)),
      fromOrigin: sum(all.filter((request) => request.result === "Miss")),
      offloadRatio:
        sum(all.filter(isHit)) / (sum(all.filter(isHit)) + sum(all.filter((r) => r.result === "Miss"))),
    });
  });

  it("gives time-taken percentiles for hits and misses apart", async () => {
    const metrics = await review();
    for (const [name, requests] of [
      ["hit", all.filter(isHit)],
      ["miss", all.filter((request) => request.result === "Miss")],
    ] as const) {
      const values = requests.map((request) => request.timeTaken);
      expect(metrics.latency[name]).toEqual({
        requests: values.length,
        p50: nearestRank(values, 0.5),
        p90: nearestRank(values, 0.9),
        p99: nearestRank(values, 0.99),
      });
    }
  });

  it("breaks down statuses, errors, behaviours and content types", async () => {
    const metrics = await review();
    expect(metrics.statuses).toEqual([
      { status: 200, requests: 12 + 8 + 5 + 1 + 2 + 2 },
      { status: 201, requests: 4 },
      { status: 301, requests: 1 },
      { status: 404, requests: 1 },
      { status: 502, requests: 2 },
      { status: 503, requests: 2 },
    ]);
    expect(metrics.errors).toEqual({
      server: 4,
      client: 1,
      serverRatio: 4 / all.length,
      clientRatio: 1 / all.length,
      detailed: [{ type: "OriginConnectError", requests: 2 }],
    });
    expect(metrics.byBehaviour).toEqual([
      { behaviour: "/img/*", requests: 20, hits: 8, misses: 12, hitRatio: 8 / 20 },
      { behaviour: "*", requests: 10, hits: 6, misses: 3, hitRatio: 6 / 9 },
      { behaviour: "/api/*", requests: 8, hits: 0, misses: 4, hitRatio: 0 },
      { behaviour: "/_astro/*", requests: 2, hits: 2, misses: 0, hitRatio: 1 },
    ]);
    const byType = Object.fromEntries(
      metrics.byContentType.map((entry) => [entry.contentType, entry.requests]),
    );
    expect(byType).toEqual({
      "image/webp": 20,
      "text/html": 8,
      "-": 6,
      "application/json": 4,
      "text/javascript": 2,
    });
  });

  it("finds the top missed paths and the query parameter that fragments the cache key", async () => {
    const metrics = await review();
    expect(metrics.topMisses).toEqual([
      { uri: "/img/card.jpg", behaviour: "/img/*", misses: 12 },
      { uri: "/api/cards", behaviour: "/api/*", misses: 4 },
      { uri: "/", behaviour: "*", misses: 2 },
      { uri: "/missing", behaviour: "*", misses: 1 },
    ]);
    expect(metrics.fragmentation).toEqual([
      {
        uri: "/img/card.jpg",
        behaviour: "/img/*",
        requests: 20,
        queryStrings: 12,
        missedQueryStrings: 12,
        parameters: [{ name: "w", values: 12 }],
      },
    ]);
    expect(metrics.advice).toContain(
      "`/img/*` misses on 12 query-string variants of one path (/img/card.jpg): `w` takes 12 values — snap `w` to a few steps (e.g. 320/640/1280) in the pages and the image function.",
    );
    expect(
      metrics.advice.some((line) => line.startsWith("10% of requests end in 5xx (OriginConnectError 2)")),
    ).toBe(true);
    expect(metrics.advice.some((line) => line.startsWith("4 of 44 log lines are malformed"))).toBe(true);
  });

  it("buckets requests over time and says which buckets may still grow", async () => {
    const settled = await review();
    expect(settled.window.bucket).toBe("minute");
    expect(settled.window.complete).toBe(true);
    expect(settled.overTime.reduce((total, bucket) => total + bucket.requests, 0)).toBe(all.length);
    expect(settled.overTime.find((bucket) => bucket.start === "2026-11-28T10:20:00.000Z")).toMatchObject({
      requests: 8,
      hits: 8,
      misses: 0,
      hitRatio: 1,
      p99: 0.002,
      serverErrors: 0,
      settled: true,
    });
    // Twelve hours after the last request, the last buckets are inside CloudFront's 24 h delivery delay.
    const early = await review({ now: new Date("2026-11-29T10:50:00Z") });
    expect(early.window.complete).toBe(false);
    expect(early.overTime.filter((bucket) => !bucket.settled).map((bucket) => bucket.start)).toEqual([
      "2026-11-28T11:00:00.000Z",
      "2026-11-28T11:01:00.000Z",
      "2026-11-28T12:05:00.000Z",
    ]);
    expect(early.advice.at(-1)).toBe(
      "Requests after 2026-11-28T10:50:00.000Z are provisional: CloudFront can deliver log lines up to 24 h late.",
    );
  });

  it("picks a window with since and until", async () => {
    const metrics = await review({
      since: new Date("2026-11-28T11:00:00Z"),
      until: new Date("2026-11-28T12:00:00Z"),
    });
    expect(metrics.requests).toBe(older.length);
    expect(metrics.window.since).toBe("2026-11-28T11:00:00.000Z");
    expect(metrics.topMisses.map((entry) => entry.uri)).toEqual(["/", "/missing"]);
  });

  it("reads what the local edge's writer writes", async () => {
    const directory = await mkdtemp(join(tmpdir(), "edge-writer-"));
    try {
      const writer = new AccessLogWriter(directory, "LOCAL");
      for (const [index, resultType] of (["Hit", "Miss", "Miss", "RefreshHit"] as const).entries())
        writer.write({
          finishedAt: new Date(`2026-11-28T09:00:0${index}Z`),
          edgeLocation: "LOCAL",
          responseBytes: 100,
          clientIp: "127.0.0.1",
          method: "GET",
          distributionDomainName: "localhost",
          uriStem: "/img/a b.png",
          status: 200,
          query: `w=${index}`,
          resultType,
          requestId: `id-${index}`,
          hostHeader: "localhost",
          protocol: "http",
          requestBytes: 50,
          timeTakenSeconds: 0.004,
          responseResultType: resultType,
          protocolVersion: "HTTP/1.1",
          clientPort: 5000,
          timeToFirstByteSeconds: 0.002,
          detailedResultType: resultType,
          contentType: "image/png",
          contentLength: 100,
        });
      await writer.flush();
      const metrics = await reviewEdgeLogs({ paths: [directory], behaviours: distribution.behaviours, now });
      expect(metrics.requests).toBe(4);
      expect(metrics.input.malformedLines).toBe(0);
      expect(metrics.hitRatio).toBe(0.5);
      expect(metrics.byBehaviour).toEqual([
        { behaviour: "/img/*", requests: 4, hits: 2, misses: 2, hitRatio: 0.5 },
      ]);
      expect(metrics.topMisses).toEqual([{ uri: "/img/a%20b.png", behaviour: "/img/*", misses: 2 }]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("reads standard logging v2's Parquet output with a chosen subset of fields and epoch timestamps", async () => {
    const directory = await mkdtemp(join(tmpdir(), "edge-parquet-"));
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      // v2 lets a delivery pick its fields; this one logs `timestamp` (epoch seconds) but no date or time.
      await connection.run(`COPY (SELECT * FROM (VALUES
          ('1764324000.250', '/img/a.svg', '200', 'Hit', '0.002', '800'),
          ('1764324001.500', '/img/a.svg', '200', 'Miss', '0.120', '800'),
          ('1764324002.750', '/api/health', '200', 'Miss', '0.050', '90'))
        AS t("timestamp", "cs-uri-stem", "sc-status", "x-edge-result-type", "time-taken", "sc-bytes"))
        TO '${join(directory, "E2EXAMPLE.parquet")}' (FORMAT parquet)`);
      const metrics = await reviewEdgeLogs({ paths: [directory], behaviours: distribution.behaviours, now });
      expect(metrics.requests).toBe(3);
      expect(metrics.input.malformedLines).toBe(0);
      expect(metrics.window.firstRequest).toBe("2025-11-28T10:00:00.250Z");
      expect(metrics.byBehaviour).toEqual([
        { behaviour: "/img/*", requests: 2, hits: 1, misses: 1, hitRatio: 0.5 },
        { behaviour: "/api/*", requests: 1, hits: 0, misses: 1, hitRatio: 0 },
      ]);
      expect(metrics.bytes.total).toBe(1690);
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
