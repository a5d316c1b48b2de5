// Loads CloudFront access logs into DuckDB's `edge_requests` table (the columns the metric queries read),
// counting malformed lines instead of failing on them. DuckDB's own CSV/JSON readers do the parsing.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import type { LogFile } from "./log-files.ts";
import { behaviourCase, contentType } from "./queries.ts";

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
 * Athena's CloudFront table names them; `content_type` is the media type without its parameters. */
const createTable = `CREATE TABLE IF NOT EXISTS edge_requests (
  ts TIMESTAMP, sc_bytes BIGINT, cs_uri_stem VARCHAR, sc_status INTEGER, cs_uri_query VARCHAR,
  x_edge_result_type VARCHAR, x_edge_detailed_result_type VARCHAR, time_taken DOUBLE, content_type VARCHAR,
  behaviour VARCHAR, malformed BOOLEAN)`;

/** The fields read with a type other than text: parsed by the CSV reader itself, a bad value rejecting
 * its line. Every other field read is text. */
const fieldTypes: Record<string, string> = {
  date: "DATE",
  time: "TIME",
  "sc-bytes": "BIGINT",
  "sc-status": "INTEGER",
  "time-taken": "DOUBLE",
};

/** A field's value of the given type, NULL when the file lacks it or it is "-" (CloudFront's empty). */
type TypedValue = (field: string, type: string) => string;

/**
 * The table's columns from a file's values. A line whose time, status, path or result type is missing
 * is malformed. v2 can log `timestamp` (epoch seconds) or `timestamp(ms)` instead of, or as well as,
 * date and time.
 */
function typedColumns(value: TypedValue, behaviours: LoadOptions["behaviours"]): string {
  const epochMicros = (field: string, scale: number) =>
    `make_timestamp(CAST(${value(field, "DOUBLE")} * ${scale} AS BIGINT))`;
  const ts = `coalesce(${value("date", "DATE")} + ${value("time", "TIME")},
    ${epochMicros("timestamp", 1_000_000)}, ${epochMicros("timestamp(ms)", 1000)})`;
  const columns = `${ts} AS ts, ${value("sc-bytes", "BIGINT")} AS sc_bytes,
    ${value("cs-uri-stem", "VARCHAR")} AS cs_uri_stem, ${value("sc-status", "INTEGER")} AS sc_status,
    ${value("cs-uri-query", "VARCHAR")} AS cs_uri_query, ${value("x-edge-result-type", "VARCHAR")} AS x_edge_result_type,
    coalesce(${value("x-edge-detailed-result-type", "VARCHAR")}, ${value("x-edge-result-type", "VARCHAR")}) AS x_edge_detailed_result_type,
    ${value("time-taken", "DOUBLE")} AS time_taken, ${contentType(value("sc-content-type", "VARCHAR"))} AS content_type`;
  return `SELECT *, ${behaviourCase(behaviours)} AS behaviour,
    ts IS NULL OR sc_status IS NULL OR cs_uri_stem IS NULL OR x_edge_result_type IS NULL AS malformed
  FROM (SELECT ${columns} FROM source)`;
}

/** A text value as a typed one: "-" and values that do not parse are NULL (JSON and Parquet input). */
const fromText =
  (text: (field: string) => string | undefined): TypedValue =>
  (field, type) => {
    const value = text(field);
    if (value === undefined) return `CAST(NULL AS ${type})`;
    const present = `nullif(${value}, '-')`;
    return type === "VARCHAR" ? present : `try_cast(${present} AS ${type})`;
  };

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
      // Typed as read, with no sniffing: the reader parses numbers and times itself (no text kept for
      // them), reads only the columns the INSERT names, and splits the file across threads.
      const columns = first.fields
        .map((field, index) => `${quote(`c${index}`)}: ${quote(fieldTypes[field] ?? "VARCHAR")}`)
        .join(", ");
      const source = `read_csv(${paths}, delim=${quote(first.delimiter)}, header=false, comment='#', quote='',
        escape='', nullstr='-', auto_detect=false, parallel=true, columns={${columns}}, ignore_errors=true,
        store_rejects=true, compression=${quote(first.compression)})`;
      const value: TypedValue = (field, type) => {
        const index = first.fields.indexOf(field);
        if (index < 0) return `CAST(NULL AS ${type})`;
        const declared = fieldTypes[field] ?? "VARCHAR";
        return declared === type ? `c${index}` : `try_cast(c${index} AS ${type})`;
      };
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
      const value = fromText((field) =>
        present.has(field) ? `CAST("${field.replaceAll('"', '""')}" AS VARCHAR)` : undefined,
      );
      await connection.run(`INSERT INTO edge_requests WITH source AS (SELECT * FROM ${source})
        ${typedColumns(value, options.behaviours)}`);
    } else {
      // Each line as one text value (no delimiter can occur in it), parsed as JSON in SQL.
      const source = `read_csv(${paths}, delim=chr(31), header=false, quote='', escape='', auto_detect=false,
        columns={'line': 'VARCHAR'}, compression=${quote(first.compression)})`;
      const value = fromText(
        (field) => `CASE WHEN json_valid(line) THEN json_extract_string(line, ${quote(`$."${field}"`)}) END`,
      );
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
