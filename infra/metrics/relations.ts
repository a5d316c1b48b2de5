// The three relations every figure reads — traffic, latency and paths — each a count of requests (and
// sums) by the columns its figures group on and a time. One declaration gives every form the same SQL
// reads: a row per request (`requests` = 1), as Athena reads them; counted by the review's time bucket,
// as DuckDB reads the requests of a window; and counted by hour, as the metrics cache keeps them beside
// each batch, so a review of days of logs on whole hours reads kilobytes, not every row.

/** Hits are Hit and RefreshHit; misses Miss; everything else is counted apart. */
export const hit = "x_edge_result_type IN ('Hit', 'RefreshHit')";
export const miss = "x_edge_result_type = 'Miss'";

type Fold = "sum" | "min" | "max";

interface Relation {
  /** Columns the requests are counted by (besides the hour), as expressions over `edge_requests`. */
  keys: Record<string, string>;
  /** Columns folded over the requests counted together: an expression of one request and how to fold. */
  measures: Record<string, [expression: string, fold: Fold]>;
  /** The requests it counts. */
  where: string;
}

const requests: [string, Fold] = ["CAST(1 AS BIGINT)", "sum"];

export const relations = {
  /** Counts and bytes by behaviour, content type, result and status; the first and last request seen. */
  edge_traffic: {
    keys: {
      behaviour: "behaviour",
      content_type: "content_type",
      x_edge_result_type: "x_edge_result_type",
      x_edge_detailed_result_type: "x_edge_detailed_result_type",
      sc_status: "sc_status",
    },
    measures: { requests, sc_bytes: ["sc_bytes", "sum"], first_ts: ["ts", "min"], last_ts: ["ts", "max"] },
    where: "TRUE",
  },
  /** Requests by time taken: CloudFront logs it to the millisecond, so the distinct values are few and
   * percentiles over the counts are exact. */
  edge_latency: {
    keys: {
      class: `CASE WHEN ${hit} THEN 'hit' WHEN ${miss} THEN 'miss' ELSE 'other' END`,
      time_taken: "time_taken",
    },
    measures: { requests },
    where: "time_taken IS NOT NULL",
  },
  /** Requests and misses by path and query string: top misses and cache-key fragmentation. */
  edge_paths: {
    keys: { cs_uri_stem: "cs_uri_stem", behaviour: "behaviour", cs_uri_query: "cs_uri_query" },
    measures: { requests, misses: [`CASE WHEN ${miss} THEN CAST(1 AS BIGINT) ELSE 0 END`, "sum"] },
    where: "TRUE",
  },
} as const satisfies Record<string, Relation>;

export type RelationName = keyof typeof relations;
export const relationNames = Object.keys(relations) as RelationName[];

/** The relation with a row per request of `source` (a relation with edge_requests' columns); `carry`:
 * further columns passed through (the cache's `file_id`). */
export function perRequest(name: RelationName, source = "edge_requests", carry: string[] = []): string {
  const relation: Relation = relations[name];
  const columns = [
    "ts",
    ...carry,
    ...Object.entries(relation.keys).map(([column, expression]) => `${expression} AS ${column}`),
    ...Object.entries(relation.measures).map(([column, [expression]]) => `${expression} AS ${column}`),
  ];
  return `SELECT ${columns.join(", ")} FROM ${source} WHERE ${relation.where}`;
}

/** The relation counted by `unit` (a date_trunc unit; `ts` the unit's start) and by the `carry` columns
 * (DuckDB SQL). */
export function countedBy(
  unit: string,
  name: RelationName,
  source = "edge_requests",
  carry: string[] = [],
): string {
  const relation: Relation = relations[name];
  const columns = [
    ...carry,
    `date_trunc('${unit}', ts) AS ts`,
    ...Object.keys(relation.keys),
    ...Object.entries(relation.measures).map(([column, [, fold]]) => `${fold}(${column}) AS ${column}`),
  ];
  return `SELECT ${columns.join(", ")} FROM (${perRequest(name, source, carry)}) GROUP BY ALL`;
}

/** Whether hourly counts answer a window exactly: each end absent or on a whole UTC hour. */
export const onTheHour = (at: Date | undefined) => at === undefined || at.getTime() % 3_600_000 === 0;
