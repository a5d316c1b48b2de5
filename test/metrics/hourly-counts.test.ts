// The cache's hourly counts give exactly the figures counting request by request gives, for any logs and
// any window on whole hours; off the hour, or over a span short enough for buckets of minutes, the
// review counts request by request.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { reviewEdgeLogs } from "../../infra/metrics/review.ts";
import { nearestRank, type SampleRequest, times, w3cFile } from "./sample-logs.ts";

const now = new Date("2026-12-01T00:00:00Z");
const day = Date.parse("2026-11-28T00:00:00Z");
const hour = 3_600_000;

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "metrics-hourly-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const sampleRequest: fc.Arbitrary<SampleRequest> = fc.record({
  // Up to 8 hours: spans over 3 hours give hourly buckets, shorter ones minutes.
  at: fc
    .integer({ min: 0, max: 8 * hour - 1000 })
    .map((offset) => new Date(day + Math.floor(offset / 1000) * 1000).toISOString().slice(0, 19)),
  uri: fc.constantFrom("/", "/img/a.svg", "/img/b.svg", "/api/cards/c1", "/create/", "/s/abc"),
  query: fc.constantFrom(undefined, "w=320", "w=640&f=webp", "w=960&f=avif", "utm=x"),
  status: fc.constantFrom(200, 200, 304, 404, 502),
  result: fc.constantFrom("Hit", "Hit", "RefreshHit", "Miss", "Error", "Redirect", "LimitExceeded"),
  bytes: fc.integer({ min: 100, max: 50_000 }),
  // CloudFront logs time taken to the millisecond.
  timeTaken: fc.integer({ min: 1, max: 400 }).map((ms) => ms / 1000),
  contentType: fc.constantFrom(undefined, "text/html", "image/webp", "application/json; charset=utf-8"),
});

/** Requests, each repeated a few times: most hourly counts then stand for several requests. */
const sampleFile = fc
  .array(fc.tuple(sampleRequest, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 40 })
  .map((drawn) => drawn.flatMap(([request, count]) => times(count, request)));

/** A window end: none, or a whole hour in (or just around) the logs' day. */
const hourEnd = fc.option(
  fc.integer({ min: -1, max: 9 }).map((hours) => new Date(day + hours * hour)),
  { nil: undefined },
);

let run = 0;
async function reviewBoth(files: SampleRequest[][], since?: Date, until?: Date) {
  const logs = join(folder, `logs-${run}`);
  const cache = join(folder, `cache-${run}`);
  run += 1;
  await rm(logs, { recursive: true, force: true });
  await mkdir(logs);
  await Promise.all(
    files.map((requests, index) =>
      writeFile(join(logs, `E2EXAMPLE.2026-11-28-0${index}.f`), w3cFile(requests, 33)),
    ),
  );
  const review = (hourly: boolean) =>
    reviewEdgeLogs({ paths: [logs], behaviours: distribution.behaviours, now, since, until, cache, hourly });
  try {
    return { counted: await review(true), perRequest: await review(false) };
  } finally {
    await rm(logs, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
}

describe("the hourly counts", () => {
  it("give every figure exactly as counting each request does, for any window on whole hours", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sampleFile, { minLength: 1, maxLength: 3 }),
        hourEnd,
        hourEnd,
        async (files, since, until) => {
          const { counted, perRequest } = await reviewBoth(files, since, until);
          expect(perRequest.input.counting).toBe("per request");
          const bucket = counted.window.bucket;
          expect(counted.input.counting).toBe(
            bucket === "hour" || bucket === "day" ? "hourly" : "per request",
          );
          expect({ ...counted, input: { ...counted.input, counting: "per request" } }).toEqual(perRequest);
        },
      ),
      { numRuns: 25 },
    );
  }, 180_000);

  it("give nearest-rank percentiles (the value at rank ⌈n·p⌉), over the window and in each bucket", async () => {
    await fc.assert(
      fc.asyncProperty(
        // 1, 2, 10 and 100 values among the lengths: p·n is then a whole rank, where an off-by-one shows.
        fc.oneof(
          fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 120 }),
          fc
            .constantFrom(1, 2, 10, 100)
            .chain((length) =>
              fc.array(fc.integer({ min: 1, max: 50 }), { minLength: length, maxLength: length }),
            ),
        ),
        fc.boolean(),
        async (milliseconds, spread) => {
          const requests = milliseconds.map(
            (ms, index): SampleRequest => ({
              // Spread over a day (hourly buckets, counted hourly), or within a minute (buckets of seconds).
              at: new Date(day + (spread ? (index % 24) * hour : (index % 60) * 1000))
                .toISOString()
                .slice(0, 19),
              uri: "/",
              status: 200,
              result: "Hit",
              bytes: 100,
              timeTaken: ms / 1000,
            }),
          );
          const { counted } = await reviewBoth([requests]);
          const values = requests.map((request) => request.timeTaken);
          expect(counted.latency.hit).toEqual({
            requests: values.length,
            p50: nearestRank(values, 0.5),
            p90: nearestRank(values, 0.9),
            p99: nearestRank(values, 0.99),
          });
          for (const bucket of counted.overTime) {
            const inBucket = requests.filter((request) => {
              const at = Date.parse(`${request.at}Z`);
              const start = Date.parse(bucket.start);
              return at >= start && at < start + (counted.window.bucket === "hour" ? hour : 1000);
            });
            expect(bucket.p99).toBe(
              nearestRank(
                inBucket.map((request) => request.timeTaken),
                0.99,
              ),
            );
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 180_000);

  it("are used for a day of logs, and not for a window off the hour", async () => {
    const spread = Array.from(
      { length: 24 },
      (_, index): SampleRequest => ({
        at: new Date(day + index * hour + 59_000).toISOString().slice(0, 19),
        uri: "/",
        status: 200,
        result: index % 3 === 0 ? "Miss" : "Hit",
        bytes: 1000,
        timeTaken: (index + 1) / 1000,
      }),
    );
    const whole = await reviewBoth([spread]);
    expect(whole.counted.input.counting).toBe("hourly");
    expect(whole.counted.requests).toBe(24);
    const offTheHour = await reviewBoth([spread], new Date(day + 30 * 60_000));
    expect(offTheHour.counted.input.counting).toBe("per request");
    expect(offTheHour.counted.requests).toBe(23);
  }, 60_000);
});
