// The metrics as Athena SQL over the log bucket: the CloudFront log table, the `edge_requests` view (the
// same columns DuckDB loads), the relations the metric queries read as views over it (a row per request),
// and one named query per figure. The CDK app
// defines them from these texts, rendered from the distribution's behaviours at synth time.
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import { accessLogFields, columnName } from "./log-format.ts";
import { athena, behaviourCase, contentType, metricQueries } from "./queries.ts";
import { perRequest, relationNames } from "./relations.ts";

/**
 * Athena types of the typed fields; every other field is a string. Times are DOUBLE where AWS's guide
 * has FLOAT: a 32-bit float reads 0.2 s as 0.20000000298 and percentiles would differ from DuckDB's.
 */
const fieldTypes: Partial<Record<(typeof accessLogFields)[number], string>> = {
  date: "DATE",
  "sc-bytes": "BIGINT",
  "sc-status": "INT",
  "cs-bytes": "BIGINT",
  "time-taken": "DOUBLE",
  "fle-encrypted-fields": "INT",
  "c-port": "INT",
  "time-to-first-byte": "DOUBLE",
  "sc-content-len": "BIGINT",
  "sc-range-start": "BIGINT",
  "sc-range-end": "BIGINT",
};

/**
 * The table over the legacy log files as AWS's Athena guide defines it (tab-separated, two header lines
 * skipped). Older files' missing trailing fields read as NULL.
 * https://docs.aws.amazon.com/athena/latest/ug/cloudfront-logs.html
 */
export function logTableDdl(location: string): string {
  const columns = accessLogFields.map(
    (field) => `  \`${columnName(field)}\` ${fieldTypes[field] ?? "STRING"}`,
  );
  return `CREATE EXTERNAL TABLE IF NOT EXISTS cloudfront_standard_logs (
${columns.join(",\n")}
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
LOCATION '${location}'
TBLPROPERTIES ('skip.header.line.count' = '2')
`;
}

/** The view with the columns the metric queries read: what convert.ts writes and load.ts reads in DuckDB. */
export function edgeRequestsViewDdl(
  behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[],
): string {
  return `CREATE OR REPLACE VIEW edge_requests AS
SELECT CAST(concat(CAST("date" AS varchar), ' ', "time") AS timestamp) AS ts, sc_bytes, cs_uri_stem, sc_status,
  nullif(cs_uri_query, '-') AS cs_uri_query, x_edge_result_type,
  coalesce(nullif(x_edge_detailed_result_type, '-'), x_edge_result_type) AS x_edge_detailed_result_type,
  CAST(time_taken AS double) AS time_taken, ${contentType("nullif(sc_content_type, '-')")} AS content_type,
  ${behaviourCase(behaviours)} AS behaviour
FROM cloudfront_standard_logs
WHERE "date" IS NOT NULL AND sc_status IS NOT NULL AND cs_uri_stem IS NOT NULL
`;
}

/** Every statement by name: the table, the views, then a named query per figure (per hour over time). */
export function athenaStatements(
  behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[],
  location: string,
): Record<string, string> {
  const statements: Record<string, string> = {
    table: logTableDdl(location),
    view: edgeRequestsViewDdl(behaviours),
  };
  for (const relation of relationNames)
    statements[relation] = `CREATE OR REPLACE VIEW ${relation} AS\n${perRequest(relation)}\n`;
  for (const [name, query] of Object.entries(metricQueries)) {
    const text = query(athena, "hour");
    const pairs = (text.match(/\?/g) ?? []).length / 2;
    statements[name] =
      `-- Named query "edge-metrics-${name}". Execution parameters: since, until (ISO 8601)${pairs > 1 ? `, repeated ${pairs} times in that order` : ""}.\n${text}\n`;
  }
  return statements;
}
