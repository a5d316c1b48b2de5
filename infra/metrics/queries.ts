// The metrics' SQL: one text per figure over the counted relations (relations.ts), run by DuckDB locally
// and, as Athena named queries, over the log bucket in AWS. Only the window differs.
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import { hit, miss } from "./relations.ts";

/** Where the engines differ: the window, filtered as the rows load locally, given as parameters in Athena. */
export interface Dialect {
  name: "duckdb" | "athena";
  /** A predicate on `ts` selecting the window. */
  window: string;
}

export const duckdb: Dialect = { name: "duckdb", window: "TRUE" } as const;

export const athena: Dialect = {
  name: "athena",
  window: "ts >= from_iso8601_timestamp(?) AND ts < from_iso8601_timestamp(?)",
} as const;

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

/** The requests (of a group) for which `condition` holds. */
const count = (condition: string) => `sum(CASE WHEN ${condition} THEN requests ELSE 0 END)`;
const ratio = (part: string, whole: string) => `CAST(${part} AS DOUBLE) / NULLIF(${whole}, 0)`;
const hitsAndMisses = `${count(hit)} AS hits, ${count(miss)} AS misses,
  ${ratio(count(hit), `${count(hit)} + ${count(miss)}`)} AS hit_ratio`;

/**
 * Time taken ranked within each `part`: `upto` requests took at most this long, of `total`. The value at
 * rank ⌈n·p⌉ (nearest rank, what DuckDB's quantile_disc gives) is the first whose `upto` reaches p·n,
 * compared in whole percents so no rounding moves a rank; exact over rows and hourly counts alike.
 */
const ranked = (part: string, where: string) => `SELECT ${part} AS part, time_taken,
    sum(requests) OVER (PARTITION BY ${part} ORDER BY time_taken ROWS UNBOUNDED PRECEDING) AS upto,
    sum(requests) OVER (PARTITION BY ${part}) AS total
  FROM edge_latency WHERE ${where}`;
const percentile = (percent: number) => `min(CASE WHEN 100 * upto >= ${percent} * total THEN time_taken END)`;

/** Cache-key fragmentation: how many query strings one path is asked with, and how many missed; each
 * path's query strings counted first, so no row is kept for a DISTINCT. */
const fragmentation = (d: Dialect) => `SELECT uri, behaviour, sum(requests) AS requests,
  count(*) AS query_strings, count_if(misses > 0) AS missed_query_strings
FROM (SELECT cs_uri_stem AS uri, behaviour, cs_uri_query, sum(requests) AS requests, sum(misses) AS misses
  FROM edge_paths WHERE ${d.window} AND cs_uri_query IS NOT NULL GROUP BY 1, 2, 3)
GROUP BY 1, 2 HAVING count(*) > 1
ORDER BY missed_query_strings DESC, query_strings DESC, uri LIMIT 10`;

/** Each figure's query; `bucket` is a date_trunc unit chosen from the window's span. */
export const metricQueries = {
  totals: (d: Dialect) => `SELECT sum(requests) AS requests,
  ${count("x_edge_result_type = 'Hit'")} AS hit, ${count("x_edge_result_type = 'RefreshHit'")} AS refresh_hit,
  ${count(miss)} AS miss, ${count("x_edge_result_type = 'Error'")} AS error,
  ${count("x_edge_result_type = 'Redirect'")} AS redirect,
  ${count("x_edge_result_type = 'LimitExceeded'")} AS limit_exceeded,
  ${count("x_edge_result_type = 'CapacityExceeded'")} AS capacity_exceeded,
  coalesce(sum(sc_bytes), 0) AS bytes, coalesce(sum(CASE WHEN ${hit} THEN sc_bytes END), 0) AS bytes_from_cache,
  coalesce(sum(CASE WHEN ${miss} THEN sc_bytes END), 0) AS bytes_from_origin,
  ${count("sc_status >= 500")} AS server_errors, ${count("sc_status >= 400 AND sc_status < 500")} AS client_errors,
  min(first_ts) AS first_request, max(last_ts) AS last_request
FROM edge_traffic WHERE ${d.window}`,

  latency: (d: Dialect) => `SELECT part AS class, max(total) AS requests,
  ${percentile(50)} AS p50, ${percentile(90)} AS p90, ${percentile(99)} AS p99
FROM (${ranked("class", `${d.window} AND class <> 'other'`)}) GROUP BY 1 ORDER BY 1`,

  byBehaviour: (d: Dialect) => `SELECT behaviour, sum(requests) AS requests, ${hitsAndMisses}
FROM edge_traffic WHERE ${d.window} GROUP BY behaviour ORDER BY requests DESC, behaviour`,

  byContentType: (d: Dialect) => `SELECT content_type, sum(requests) AS requests, ${hitsAndMisses}
FROM edge_traffic WHERE ${d.window} GROUP BY 1 ORDER BY requests DESC, content_type LIMIT 20`,

  overTime: (d: Dialect, bucket: string) => `WITH counts AS (SELECT date_trunc('${bucket}', ts) AS start,
  sum(requests) AS requests, ${hitsAndMisses}, ${count("sc_status >= 500")} AS server_errors
FROM edge_traffic WHERE ${d.window} GROUP BY 1),
slowest AS (SELECT part AS start, ${percentile(99)} AS p99
FROM (${ranked(`date_trunc('${bucket}', ts)`, d.window)}) GROUP BY 1)
SELECT counts.*, slowest.p99 FROM counts LEFT JOIN slowest USING (start) ORDER BY start`,

  statuses: (d: Dialect) => `SELECT sc_status AS status, sum(requests) AS requests
FROM edge_traffic WHERE ${d.window} GROUP BY 1 ORDER BY 1`,

  resultTypes: (
    d: Dialect,
  ) => `SELECT x_edge_result_type AS result_type, x_edge_detailed_result_type AS detailed,
  sum(requests) AS requests
FROM edge_traffic WHERE ${d.window} GROUP BY 1, 2 ORDER BY requests DESC, 1, 2`,

  topMisses: (d: Dialect) => `SELECT cs_uri_stem AS uri, behaviour, sum(misses) AS misses
FROM edge_paths WHERE ${d.window} AND misses > 0
GROUP BY 1, 2 ORDER BY misses DESC, uri LIMIT 10`,

  fragmentation,

  /** Per fragmented path (those listed above), which query parameters take several values on misses. */
  parameters: (d: Dialect) => `WITH fragmented AS (${fragmentation(d)})
SELECT cs_uri_stem AS uri, split_part(pair, '=', 1) AS name, count(DISTINCT split_part(pair, '=', 2)) AS "values"
FROM edge_paths CROSS JOIN UNNEST(split(cs_uri_query, '&')) AS p(pair)
WHERE ${d.window} AND misses > 0 AND cs_uri_stem IN (SELECT uri FROM fragmented)
GROUP BY 1, 2 HAVING count(DISTINCT split_part(pair, '=', 2)) > 1
ORDER BY uri, "values" DESC, name`,
} as const;
