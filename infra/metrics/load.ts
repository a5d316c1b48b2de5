// Loads CloudFront access logs into DuckDB's `edge_requests` table (the columns the metric queries read),
// counting malformed lines instead of failing on them. DuckDB's own CSV/JSON readers do the parsing.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import type { LogFile } from "./log-files.ts";
import { behaviourCase } from "./queries.ts";

export interface Malformed {
  file: string;
  line: number;
  reason: string;
}

export interface LoadResult {
  /** Data lines read, comment headers left out; malformed ones included. */
  lines: number;
  malformedLines: number;
  /** The first few, so the report can say what is wrong. */
  malformedExamples: Malformed[];
}

export interface LoadOptions {
  behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[];
  since?: Date | undefined;
  until?: Date | undefined;
}

const exampleCount = 5;
const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
const list = (values: string[]) => `[${values.map(quote).join(", ")}]`;

/** The columns the figures read and no others (a million rows of unread text cost seconds), named as
 * Athena's CloudFront table names them. */
const createTable = `CREATE TABLE IF NOT EXISTS edge_requests (
  ts TIMESTAMP, sc_bytes BIGINT, cs_uri_stem VARCHAR, sc_status INTEGER, cs_uri_query VARCHAR,
  x_edge_result_type VARCHAR, x_edge_detailed_result_type VARCHAR, time_taken DOUBLE, sc_content_type VARCHAR,
  behaviour VARCHAR, malformed BOOLEAN)`;

/**
 * The typed columns from raw text values; `value(field)` gives a field's text or NULL when the file's
 * field list lacks it. "-" is CloudFront's empty value. A line whose time, status, path or result type
 * does not parse is malformed.
 */
function typedColumns(value: (field: string) => string, behaviours: LoadOptions["behaviours"]): string {
  const text = (field: string) => `nullif(${value(field)}, '-')`;
  // v2 can log `timestamp` (epoch seconds) or `timestamp(ms)` instead of, or as well as, date and time.
  const epochMicros = (field: string, scale: number) =>
    `make_timestamp(CAST(try_cast(${text(field)} AS DOUBLE) * ${scale} AS BIGINT))`;
  const ts = `coalesce(try_cast(${text("date")} || ' ' || ${text("time")} AS TIMESTAMP),
    ${epochMicros("timestamp", 1_000_000)}, ${epochMicros("timestamp(ms)", 1000)})`;
  const columns = `${ts} AS ts, try_cast(${text("sc-bytes")} AS BIGINT) AS sc_bytes,
    ${text("cs-uri-stem")} AS cs_uri_stem, try_cast(${text("sc-status")} AS INTEGER) AS sc_status,
    ${text("cs-uri-query")} AS cs_uri_query, ${text("x-edge-result-type")} AS x_edge_result_type,
    coalesce(${text("x-edge-detailed-result-type")}, ${text("x-edge-result-type")}) AS x_edge_detailed_result_type,
    try_cast(${text("time-taken")} AS DOUBLE) AS time_taken, ${text("sc-content-type")} AS sc_content_type`;
  return `SELECT *, ${behaviourCase(behaviours)} AS behaviour,
    ts IS NULL OR sc_status IS NULL OR cs_uri_stem IS NULL OR x_edge_result_type IS NULL AS malformed
  FROM (SELECT ${columns} FROM source)`;
}

/** A group of files read together: same format, field list, delimiter and compression. */
function groupKey(file: LogFile): string {
  return JSON.stringify([file.format, file.fields, file.delimiter, file.compression]);
}

export async function loadLogs(
  connection: DuckDBConnection,
  files: LogFile[],
  options: LoadOptions,
): Promise<LoadResult> {
  await connection.run(createTable);
  const groups = new Map<string, LogFile[]>();
  for (const file of files) groups.set(groupKey(file), [...(groups.get(groupKey(file)) ?? []), file]);

  const result: LoadResult = { lines: 0, malformedLines: 0, malformedExamples: [] };
  let lastScan = -1;
  for (const group of groups.values()) {
    const [first] = group;
    if (!first) continue;
    const paths = list(group.map((file) => file.path));
    const before = await count(connection, "SELECT count(*) FROM edge_requests");
    if (first.format === "w3c") {
      const declared = new Set(first.fields);
      const columns = first.fields.map((_, index) => `${quote(`c${index}`)}: 'VARCHAR'`).join(", ");
      const source = `read_csv(${paths}, delim=${quote(first.delimiter)}, header=false, comment='#', quote='',
        escape='', auto_detect=false, columns={${columns}}, ignore_errors=true, store_rejects=true,
        compression=${quote(first.compression)})`;
      const value = (field: string) => (declared.has(field) ? `c${first.fields.indexOf(field)}` : "NULL");
      // The rejects tables keep earlier scans' rows: this scan's are those past the last scan seen.
      await connection.run(`INSERT INTO edge_requests WITH source AS (SELECT * FROM ${source})
        ${typedColumns(value, options.behaviours)}`);
      // One bad line can raise several errors (one per missing column): count lines, not errors.
      const rejected =
        await connection.runAndReadAll(`SELECT s.file_path, e.line, arg_min(e.error_message, e.column_idx)
        FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
        WHERE e.scan_id > ${lastScan} GROUP BY ALL ORDER BY 1, 2`);
      lastScan = await count(connection, "SELECT max(scan_id) FROM reject_scans");
      for (const [file, line, reason] of rejected.getRows()) {
        result.malformedLines += 1;
        result.lines += 1;
        if (result.malformedExamples.length < exampleCount)
          result.malformedExamples.push({ file: String(file), line: Number(line), reason: String(reason) });
      }
    } else if (first.format === "parquet") {
      // Columns are the field names; a field the delivery did not choose is absent.
      const source = `read_parquet(${paths}, union_by_name=true)`;
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
      const present = new Set(described.getRows().map(([name]) => String(name)));
      const value = (field: string) =>
        present.has(field) ? `CAST("${field.replaceAll('"', '""')}" AS VARCHAR)` : "NULL";
      await connection.run(`INSERT INTO edge_requests WITH source AS (SELECT * FROM ${source})
        ${typedColumns(value, options.behaviours)}`);
    } else {
      // Each line as one text value (no delimiter can occur in it), parsed as JSON in SQL.
      const source = `read_csv(${paths}, delim=chr(31), header=false, quote='', escape='', auto_detect=false,
        columns={'line': 'VARCHAR'}, compression=${quote(first.compression)})`;
      const value = (field: string) =>
        `CASE WHEN json_valid(line) THEN json_extract_string(line, ${quote(`$."${field}"`)}) END`;
      await connection.run(`INSERT INTO edge_requests WITH source AS (SELECT * FROM ${source}
        WHERE trim(line) <> '')
        ${typedColumns(value, options.behaviours)}`);
    }
    const after = await count(connection, "SELECT count(*) FROM edge_requests");
    result.lines += after - before;
  }
  await recordTypedFailures(connection, result);
  await keepWindow(connection, options);
  return result;
}

/** Lines that split into the right fields but whose values do not parse: counted, then dropped. */
async function recordTypedFailures(connection: DuckDBConnection, result: LoadResult): Promise<void> {
  const bad = await count(connection, "SELECT count(*) FROM edge_requests WHERE malformed");
  if (bad > 0 && result.malformedExamples.length < exampleCount) {
    const rows = await connection.runAndReadAll(
      `SELECT cs_uri_stem, x_edge_result_type FROM edge_requests WHERE malformed LIMIT ${exampleCount}`,
    );
    for (const [uri] of rows.getRows())
      if (result.malformedExamples.length < exampleCount)
        result.malformedExamples.push({
          file: "",
          line: 0,
          reason: `a value does not parse (time, status, path or result type)${uri ? ` for ${uri}` : ""}`,
        });
  }
  result.malformedLines += bad;
  await connection.run("DELETE FROM edge_requests WHERE malformed");
}

async function keepWindow(connection: DuckDBConnection, options: LoadOptions): Promise<void> {
  if (options.since)
    await connection.run(
      `DELETE FROM edge_requests WHERE ts < ${quote(isoTimestamp(options.since))}::TIMESTAMP`,
    );
  if (options.until)
    await connection.run(
      `DELETE FROM edge_requests WHERE ts >= ${quote(isoTimestamp(options.until))}::TIMESTAMP`,
    );
}

const isoTimestamp = (at: Date) => at.toISOString().replace("T", " ").replace("Z", "");

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
