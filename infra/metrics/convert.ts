// Converts CloudFront access log files into one Parquet file of the columns the figures read, each row
// tagged with its file's id, counting malformed lines instead of failing on them. DuckDB's own
// CSV/JSON/Parquet readers do the parsing, all the files of one format in one scan.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import type { LogFile } from "./log-files.ts";
import { behaviourCase, contentType } from "./queries.ts";

export type Behaviours = readonly Pick<BehaviourDeclaration, "pathPattern">[];

export interface Malformed {
  file: string;
  /** 1-based, header lines counted; 0 when the reader cannot say (a value that does not parse). */
  line: number;
  reason: string;
}

/** What a conversion learnt about its file beyond the rows it kept. */
export interface FileFacts {
  /** Data lines read, comment headers left out; malformed ones included. */
  lines: number;
  malformedLines: number;
  /** The first few, so the report can say what is wrong. */
  malformedExamples: Malformed[];
  /** Rows kept in the Parquet file (well-formed ones and those flagged `malformed`). */
  rows: number;
}

export const exampleCount = 5;
export const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The Parquet file's columns, named as Athena's CloudFront table names them; `content_type` is the media
 * type without its parameters; `behaviour` the path pattern the request matched (worked out once here, not
 * per row in each figure); `malformed` rows are counted, then left out of every figure. */
export const convertedColumns = {
  ts: "TIMESTAMP",
  sc_bytes: "BIGINT",
  cs_uri_stem: "VARCHAR",
  sc_status: "INTEGER",
  cs_uri_query: "VARCHAR",
  x_edge_result_type: "VARCHAR",
  x_edge_detailed_result_type: "VARCHAR",
  time_taken: "DOUBLE",
  content_type: "VARCHAR",
  behaviour: "VARCHAR",
  malformed: "BOOLEAN",
  file_id: "INTEGER",
} as const;

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
 * The converted columns from a file's values. A line whose time, status, path or result type is missing
 * is malformed. v2 can log `timestamp` (epoch seconds) or `timestamp(ms)` instead of, or as well as,
 * date and time.
 */
function typedColumns(value: TypedValue, behaviours: Behaviours): string {
  const epochMicros = (field: string, scale: number) =>
    `make_timestamp(CAST(${value(field, "DOUBLE")} * ${scale} AS BIGINT))`;
  const ts = `coalesce(${value("date", "DATE")} + ${value("time", "TIME")},
    ${epochMicros("timestamp", 1_000_000)}, ${epochMicros("timestamp(ms)", 1000)})`;
  const columns = `${ts} AS ts, ${value("sc-bytes", "BIGINT")} AS sc_bytes,
    ${value("cs-uri-stem", "VARCHAR")} AS cs_uri_stem, ${value("sc-status", "INTEGER")} AS sc_status,
    ${value("cs-uri-query", "VARCHAR")} AS cs_uri_query, ${value("x-edge-result-type", "VARCHAR")} AS x_edge_result_type,
    coalesce(${value("x-edge-detailed-result-type", "VARCHAR")}, ${value("x-edge-result-type", "VARCHAR")}) AS x_edge_detailed_result_type,
    ${value("time-taken", "DOUBLE")} AS time_taken, ${contentType(value("sc-content-type", "VARCHAR"))} AS content_type`;
  return `SELECT * EXCLUDE (file_id), ${behaviourCase(behaviours)} AS behaviour,
    ts IS NULL OR sc_status IS NULL OR cs_uri_stem IS NULL OR x_edge_result_type IS NULL AS malformed, file_id
  FROM (SELECT ${columns}, file_id FROM source)`;
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

/** A group of files read in one scan: same format, field list, delimiter and compression. */
export function groupKey(file: LogFile): string {
  return JSON.stringify([file.format, file.fields, file.delimiter, file.compression]);
}

/** The SELECT that reads a group of files (as groupKey groups them) as the converted columns. */
async function selectFrom(
  connection: DuckDBConnection,
  files: { file: LogFile; id: number }[],
  behaviours: Behaviours,
): Promise<string> {
  const [first] = files;
  if (!first) throw new Error("no log files to convert");
  const { file } = first;
  const paths = `[${files.map((entry) => quote(entry.file.path)).join(", ")}]`;
  // Each row's file, by the path the reader names it with.
  const ids = `(VALUES ${files.map((entry) => `(${quote(entry.file.path)}, ${entry.id})`).join(", ")}) AS ids(filename, file_id)`;
  const source = (reader: string, where = "TRUE") =>
    `WITH source AS (SELECT * FROM ${reader} JOIN ${ids} USING (filename) WHERE ${where})`;
  if (file.format === "w3c") {
    // Typed as read, with no sniffing: the reader parses numbers and times itself (no text kept for
    // them), reads only the columns the SELECT names, and splits the files across threads.
    const columns = file.fields
      .map((field, index) => `${quote(`c${index}`)}: ${quote(fieldTypes[field] ?? "VARCHAR")}`)
      .join(", ");
    const value: TypedValue = (field, type) => {
      const index = file.fields.indexOf(field);
      if (index < 0) return `CAST(NULL AS ${type})`;
      const declared = fieldTypes[field] ?? "VARCHAR";
      return declared === type ? `c${index}` : `try_cast(c${index} AS ${type})`;
    };
    return `${source(`read_csv(${paths}, delim=${quote(file.delimiter)}, header=false, comment='#', quote='',
      escape='', nullstr='-', auto_detect=false, parallel=true, columns={${columns}}, ignore_errors=true,
      store_rejects=true, filename=true, compression=${quote(file.compression)})`)}
      ${typedColumns(value, behaviours)}`;
  }
  if (file.format === "parquet") {
    // Columns are the field names; a field the delivery did not choose is absent.
    const reader = `read_parquet(${paths}, union_by_name=true, filename=true)`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    const present = new Set(described.getRows().map(([name]) => String(name)));
    const value = fromText((field) =>
      present.has(field) ? `CAST("${field.replaceAll('"', '""')}" AS VARCHAR)` : undefined,
    );
    return `${source(reader)} ${typedColumns(value, behaviours)}`;
  }
  // Each line as one text value (no delimiter can occur in it), parsed as JSON in SQL.
  const value = fromText(
    (field) => `CASE WHEN json_valid(line) THEN json_extract_string(line, ${quote(`$."${field}"`)}) END`,
  );
  const reader = `read_csv(${paths}, delim=chr(31), header=false, quote='', escape='', auto_detect=false,
    columns={'line': 'VARCHAR'}, filename=true, compression=${quote(file.compression)})`;
  return `${source(reader, "trim(line) <> ''")} ${typedColumns(value, behaviours)}`;
}

/** Writes the rows of a group of files to the Parquet file `target`, each tagged with its file's id, and
 * says what was malformed in each file. */
export async function convertLogFiles(
  connection: DuckDBConnection,
  files: { file: LogFile; id: number }[],
  behaviours: Behaviours,
  target: string,
): Promise<Map<number, FileFacts>> {
  // Snappy: the cheapest to write and to read back of DuckDB's codecs on these columns.
  await connection.run(
    `COPY (${await selectFrom(connection, files, behaviours)}) TO ${quote(target)} (FORMAT parquet, COMPRESSION snappy)`,
  );
  const facts = new Map(
    files.map(({ id }) => [id, { lines: 0, malformedLines: 0, malformedExamples: [], rows: 0 } as FileFacts]),
  );
  const example = (file: FileFacts, path: string, line: number, reason: string) => {
    if (file.malformedExamples.length < exampleCount)
      file.malformedExamples.push({ file: path, line, reason });
  };
  const byPath = new Map(files.map(({ file, id }) => [file.path, facts.get(id)]));
  if (files[0]?.file.format === "w3c") {
    // The rejects tables keep earlier scans' rows (one connection converts several groups): this scan is
    // the latest. One bad line can raise several errors (one per missing column): count lines, not errors.
    const rejected = await connection.runAndReadAll(`SELECT s.file_path, e.line,
        arg_min(e.error_message, e.column_idx)
      FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
      WHERE e.scan_id = (SELECT max(scan_id) FROM reject_scans) GROUP BY ALL ORDER BY 1, 2`);
    for (const [path, line, reason] of rejected.getRows()) {
      const file = byPath.get(String(path));
      if (!file) continue;
      file.lines += 1;
      file.malformedLines += 1;
      example(file, String(path), Number(line), String(reason));
    }
  }
  // Lines that split into the right fields but whose values do not parse.
  const written = await connection.runAndReadAll(`SELECT file_id, count(*), count_if(malformed),
      list(cs_uri_stem) FILTER (WHERE malformed)[1:${exampleCount}]
    FROM read_parquet(${quote(target)}) GROUP BY 1`);
  const pathOf = new Map(files.map(({ file, id }) => [id, file.path]));
  for (const [id, rows, bad, uris] of written.getRowsJS()) {
    const file = facts.get(Number(id));
    if (!file) continue;
    file.rows = Number(rows);
    file.lines += file.rows;
    file.malformedLines += Number(bad);
    for (const uri of (uris as (string | null)[] | null) ?? [])
      example(
        file,
        pathOf.get(Number(id)) ?? "",
        0,
        `a value does not parse (time, status, path or result type)${uri ? ` for ${uri}` : ""}`,
      );
  }
  return facts;
}
