// The metrics' SQL: one text per figure over the `edge_requests` relation, run by DuckDB locally and, as
// Athena named queries, over the log bucket in AWS. Only the dialect's percentile function differs.
import type { BehaviourDeclaration } from "../../edge/distribution.ts";

/** Where the engines differ: DuckDB's exact percentile, Athena's (Trino's) approximate one. */
export interface Dialect {
  name: "duckdb" | "athena";
  percentile(expression: string, fraction: number): string;
  /** Several percentiles from one sort, as an array (1-based in both engines). */
  percentiles(expression: string, fractions: number[]): string;
  /** A predicate on `ts` selecting the window: none locally (filtered at load), parameters in Athena. */
  window: string;
}

export const duckdb: Dialect = {
  name: "duckdb",
  percentile: (expression, fraction) => `quantile_disc(${expression}, ${fraction})`,
  percentiles: (expression, fractions) => `quantile_disc(${expression}, [${fractions.join(", ")}])`,
  window: "TRUE",
} as const;

export const athena: Dialect = {
  name: "athena",
  // https://trino.io/docs/current/functions/aggregate.html#approx_percentile
  percentile: (expression, fraction) => `approx_percentile(${expression}, ${fraction})`,
  percentiles: (expression, fractions) => `approx_percentile(${expression}, ARRAY[${fractions.join(", ")}])`,
  window: "ts >= from_iso8601_timestamp(?) AND ts < from_iso8601_timestamp(?)",
} as const;

/** Hits are Hit and RefreshHit; misses Miss; everything else is counted apart. */
const hit = "x_edge_result_type IN ('Hit', 'RefreshHit')";
const miss = "x_edge_result_type = 'Miss'";

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The behaviour a logged request matched: CloudFront's path patterns in order, the first match winning;
 * a pattern whose only wildcard is a trailing `*` as a prefix test (several times cheaper per row than
 * LIKE), a pattern without one as equality, any other as SQL LIKE (`*` → `%`, `?` → `_`). The log has the viewer's raw path, not the normalised one the
 * edge matched, which differs only for dot segments and encoded unreserved characters.
 */
export function behaviourCase(behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[]): string {
  const arms = behaviours
    .filter((behaviour) => behaviour.pathPattern !== "*")
    .map((behaviour) => {
      const pattern = behaviour.pathPattern.startsWith("/")
        ? behaviour.pathPattern
        : `/${behaviour.pathPattern}`;
      const head = pattern.slice(0, -1);
      const test = !/[*?]/.test(pattern)
        ? `cs_uri_stem = ${quote(pattern)}`
        : pattern.endsWith("*") && !/[*?]/.test(head)
          ? `starts_with(cs_uri_stem, ${quote(head)})`
          : `cs_uri_stem LIKE ${quote(like(pattern))} ESCAPE '\\'`;
      return `WHEN ${test} THEN ${quote(behaviour.pathPattern)}`;
    });
  return arms.length === 0 ? "'*'" : `CASE ${arms.join(" ")} ELSE '*' END`;
}

const like = (pattern: string) =>
  pattern
    .replace(/[\\%_]/g, "\\$&")
    .replaceAll("*", "%")
    .replaceAll("?", "_");

/** A Content-Type's media type without its parameters (`text/html;charset=utf-8` → `text/html`); "-"
 * when the response had none. Computed once as each row loads, not per figure. */
export const contentType = (column: string) => `coalesce(trim(split_part(${column}, ';', 1)), '-')`;

const ratio = (part: string, whole: string) => `CAST(${part} AS DOUBLE) / NULLIF(${whole}, 0)`;
const hitsAndMisses = `count_if(${hit}) AS hits, count_if(${miss}) AS misses,
  ${ratio(`count_if(${hit})`, `count_if(${hit}) + count_if(${miss})`)} AS hit_ratio`;

/** Cache-key fragmentation: how many query strings one path is asked with, and how many missed; each
 * path's query strings counted first, so no row is kept for a DISTINCT. */
const fragmentation = (d: Dialect) => `SELECT uri, behaviour, sum(requests) AS requests,
  count(*) AS query_strings, count_if(misses > 0) AS missed_query_strings
FROM (SELECT cs_uri_stem AS uri, behaviour, cs_uri_query, count(*) AS requests, count_if(${miss}) AS misses
  FROM edge_requests WHERE ${d.window} AND cs_uri_query IS NOT NULL GROUP BY 1, 2, 3)
GROUP BY 1, 2 HAVING count(*) > 1
ORDER BY missed_query_strings DESC, query_strings DESC, uri LIMIT 10`;

/** Each figure's query; `bucket` is a date_trunc unit chosen from the window's span. */
export const metricQueries = {
  totals: (d: Dialect) => `SELECT count(*) AS requests,
  count_if(x_edge_result_type = 'Hit') AS hit, count_if(x_edge_result_type = 'RefreshHit') AS refresh_hit,
  count_if(${miss}) AS miss, count_if(x_edge_result_type = 'Error') AS error,
  count_if(x_edge_result_type = 'Redirect') AS redirect,
  count_if(x_edge_result_type = 'LimitExceeded') AS limit_exceeded,
  count_if(x_edge_result_type = 'CapacityExceeded') AS capacity_exceeded,
  coalesce(sum(sc_bytes), 0) AS bytes, coalesce(sum(CASE WHEN ${hit} THEN sc_bytes END), 0) AS bytes_from_cache,
  coalesce(sum(CASE WHEN ${miss} THEN sc_bytes END), 0) AS bytes_from_origin,
  count_if(sc_status >= 500) AS server_errors, count_if(sc_status >= 400 AND sc_status < 500) AS client_errors,
  min(ts) AS first_request, max(ts) AS last_request
FROM edge_requests WHERE ${d.window}`,

  latency: (d: Dialect) => `SELECT class, requests, p[1] AS p50, p[2] AS p90, p[3] AS p99
FROM (SELECT CASE WHEN ${hit} THEN 'hit' ELSE 'miss' END AS class, count(*) AS requests,
  ${d.percentiles("time_taken", [0.5, 0.9, 0.99])} AS p
FROM edge_requests WHERE ${d.window} AND (${hit} OR ${miss}) AND time_taken IS NOT NULL
GROUP BY 1) ORDER BY 1`,

  byBehaviour: (d: Dialect) => `SELECT behaviour, count(*) AS requests, ${hitsAndMisses}
FROM edge_requests WHERE ${d.window} GROUP BY behaviour ORDER BY requests DESC, behaviour`,

  byContentType: (d: Dialect) => `SELECT content_type, count(*) AS requests, ${hitsAndMisses}
FROM edge_requests WHERE ${d.window} GROUP BY 1 ORDER BY requests DESC, content_type LIMIT 20`,

  overTime: (
    d: Dialect,
    bucket: string,
  ) => `SELECT date_trunc('${bucket}', ts) AS start, count(*) AS requests,
  ${hitsAndMisses}, ${d.percentile("time_taken", 0.99)} AS p99,
  count_if(sc_status >= 500) AS server_errors
FROM edge_requests WHERE ${d.window} GROUP BY 1 ORDER BY 1`,

  statuses: (d: Dialect) => `SELECT sc_status AS status, count(*) AS requests
FROM edge_requests WHERE ${d.window} GROUP BY 1 ORDER BY 1`,

  resultTypes: (
    d: Dialect,
  ) => `SELECT x_edge_result_type AS result_type, x_edge_detailed_result_type AS detailed,
  count(*) AS requests
FROM edge_requests WHERE ${d.window} GROUP BY 1, 2 ORDER BY requests DESC, 1, 2`,

  topMisses: (d: Dialect) => `SELECT cs_uri_stem AS uri, behaviour, count(*) AS misses
FROM edge_requests WHERE ${d.window} AND ${miss}
GROUP BY 1, 2 ORDER BY misses DESC, uri LIMIT 10`,

  fragmentation,

  /** Per fragmented path (those listed above), which query parameters take several values on misses. */
  parameters: (d: Dialect) => `WITH fragmented AS (${fragmentation(d)})
SELECT cs_uri_stem AS uri, split_part(pair, '=', 1) AS name, count(DISTINCT split_part(pair, '=', 2)) AS "values"
FROM edge_requests CROSS JOIN UNNEST(split(cs_uri_query, '&')) AS p(pair)
WHERE ${d.window} AND ${miss} AND cs_uri_stem IN (SELECT uri FROM fragmented)
GROUP BY 1, 2 HAVING count(DISTINCT split_part(pair, '=', 2)) > 1
ORDER BY uri, "values" DESC, name`,
} as const;
