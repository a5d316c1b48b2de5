// Runs the metric queries over the loaded relations and assembles the review's figures.
import type { DuckDBInstance } from "@duckdb/node-api";
import { adviceFor } from "./advice.ts";
import type { EdgeMetrics, HitCounts, Percentiles } from "./edge-metrics.ts";
import type { Loaded } from "./load.ts";
import { duckdb, metricQueries } from "./queries.ts";
import { onTheHour } from "./relations.ts";

/** CloudFront delivers most lines within an hour, but some up to 24 h late. */
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html#access-logs-timing
export const lateDeliveryMs = 24 * 60 * 60 * 1000;

export interface SummariseOptions {
  now: Date;
  files: number;
  load: Loaded;
  /** Whether the cache's hourly counts may answer: they do when the window is on whole hours and the
   * figures over time are hourly or daily (relations.ts). */
  hourly: boolean;
  since?: Date | undefined;
  until?: Date | undefined;
}

type Row = Record<string, unknown>;

/** A query on a connection of its own, so several run at once: most are too small to keep every core busy
 * alone (DuckDB runs each connection's query on the instance's shared threads). */
async function rows(instance: DuckDBInstance, sql: string): Promise<Row[]> {
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  } finally {
    connection.closeSync();
  }
}

const number = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function hitCounts(row: Row): HitCounts {
  return {
    requests: number(row.requests),
    hits: number(row.hits),
    misses: number(row.misses),
    hitRatio: nullableNumber(row.hit_ratio),
  };
}

function percentiles(row: Row | undefined): Percentiles {
  return {
    requests: number(row?.requests),
    p50: nullableNumber(row?.p50),
    p90: nullableNumber(row?.p90),
    p99: nullableNumber(row?.p99),
  };
}

/** Seconds for a short replay, minutes for a few hours of logs, hours up to a week, days beyond. */
function bucketFor(first: Date | null, last: Date | null): EdgeMetrics["window"]["bucket"] {
  const span = first && last ? last.getTime() - first.getTime() : 0;
  if (span <= 5 * 60 * 1000) return "second";
  if (span <= 3 * 60 * 60 * 1000) return "minute";
  return span <= 7 * 24 * 60 * 60 * 1000 ? "hour" : "day";
}

const bucketMs = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export async function summarise(instance: DuckDBInstance, options: SummariseOptions): Promise<EdgeMetrics> {
  // The window's first and last request, from the hourly counts when they may answer, set the bucket.
  const hourly = options.hourly && onTheHour(options.since) && onTheHour(options.until);
  if (hourly) await options.load.countBy({ from: "hourly counts" });
  const [span = {}] = await rows(
    instance,
    hourly
      ? "SELECT min(first_ts) AS first, max(last_ts) AS last FROM edge_traffic"
      : "SELECT min(ts) AS first, max(ts) AS last FROM edge_requests",
  );
  const first = span.first instanceof Date ? span.first : null;
  const last = span.last instanceof Date ? span.last : null;
  const bucket = bucketFor(first, last);
  // Buckets of seconds or minutes need each request's time: a span of at most a few hours.
  const counting = hourly && (bucket === "hour" || bucket === "day") ? "hourly" : "per request";
  if (counting === "per request") await options.load.countBy({ from: "requests", unit: bucket });
  const settledBefore = new Date(options.now.getTime() - lateDeliveryMs);

  const queries = {
    totals: metricQueries.totals(duckdb),
    latency: metricQueries.latency(duckdb),
    resultTypes: metricQueries.resultTypes(duckdb),
    parameters: metricQueries.parameters(duckdb),
    statuses: metricQueries.statuses(duckdb),
    byBehaviour: metricQueries.byBehaviour(duckdb),
    byContentType: metricQueries.byContentType(duckdb),
    overTime: metricQueries.overTime(duckdb, bucket),
    topMisses: metricQueries.topMisses(duckdb),
    fragmentation: metricQueries.fragmentation(duckdb),
  };
  const answers = Object.fromEntries(
    await Promise.all(Object.entries(queries).map(async ([name, sql]) => [name, await rows(instance, sql)])),
  ) as Record<keyof typeof queries, Row[]>;
  const { latency, resultTypes, parameters, statuses, byBehaviour, byContentType, overTime, topMisses } =
    answers;
  const totals = answers.totals[0] ?? {};
  const requests = number(totals.requests);
  const hits = number(totals.hit) + number(totals.refresh_hit);
  const misses = number(totals.miss);
  const named =
    hits +
    misses +
    number(totals.error) +
    number(totals.redirect) +
    number(totals.limit_exceeded) +
    number(totals.capacity_exceeded);
  const bytes = number(totals.bytes);
  const server = number(totals.server_errors);
  const client = number(totals.client_errors);

  const metrics: EdgeMetrics = {
    schema: "goodgreets.edge-metrics/1",
    window: {
      since: options.since?.toISOString() ?? null,
      until: options.until?.toISOString() ?? null,
      firstRequest: first?.toISOString() ?? null,
      lastRequest: last?.toISOString() ?? null,
      bucket,
      settledBefore: settledBefore.toISOString(),
      complete: last === null || last.getTime() < settledBefore.getTime(),
    },
    input: {
      files: options.files,
      lines: options.load.lines,
      malformedLines: options.load.malformedLines,
      malformedExamples: options.load.malformedExamples,
      counting,
    },
    requests,
    resultTypes: {
      hit: number(totals.hit),
      refreshHit: number(totals.refresh_hit),
      miss: misses,
      error: number(totals.error),
      redirect: number(totals.redirect),
      limitExceeded: number(totals.limit_exceeded),
      capacityExceeded: number(totals.capacity_exceeded),
      other: requests - named,
    },
    hitRatio: ratio(hits, hits + misses),
    bytes: {
      total: bytes,
      fromCache: number(totals.bytes_from_cache),
      fromOrigin: number(totals.bytes_from_origin),
      offloadRatio: ratio(
        number(totals.bytes_from_cache),
        number(totals.bytes_from_cache) + number(totals.bytes_from_origin),
      ),
    },
    latency: {
      hit: percentiles(latency.find((row) => row.class === "hit")),
      miss: percentiles(latency.find((row) => row.class === "miss")),
    },
    errors: {
      server,
      client,
      serverRatio: ratio(server, requests),
      clientRatio: ratio(client, requests),
      detailed: resultTypes
        .filter((row) => row.result_type === "Error")
        .map((row) => ({ type: String(row.detailed ?? "Error"), requests: number(row.requests) })),
    },
    statuses: statuses.map((row) => ({
      status: number(row.status),
      requests: number(row.requests),
    })),
    byBehaviour: byBehaviour.map((row) => ({
      behaviour: String(row.behaviour),
      ...hitCounts(row),
    })),
    byContentType: byContentType.map((row) => ({
      contentType: String(row.content_type),
      ...hitCounts(row),
    })),
    overTime: overTime.map((row) => {
      const start = row.start instanceof Date ? row.start : new Date(0);
      return {
        start: start.toISOString(),
        ...hitCounts(row),
        p99: nullableNumber(row.p99),
        serverErrors: number(row.server_errors),
        settled: start.getTime() + bucketMs[bucket] <= settledBefore.getTime(),
      };
    }),
    topMisses: topMisses.map((row) => ({
      uri: String(row.uri),
      behaviour: String(row.behaviour),
      misses: number(row.misses),
    })),
    fragmentation: answers.fragmentation.map((row) => ({
      uri: String(row.uri),
      behaviour: String(row.behaviour),
      requests: number(row.requests),
      queryStrings: number(row.query_strings),
      missedQueryStrings: number(row.missed_query_strings),
      parameters: parameters
        .filter((parameter) => parameter.uri === row.uri)
        .map((parameter) => ({ name: String(parameter.name), values: number(parameter.values) })),
    })),
    advice: [],
  };
  metrics.advice = adviceFor(metrics);
  return metrics;
}
