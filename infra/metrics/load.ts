// Makes CloudFront access logs DuckDB's `edge_requests` view, each file through the columnar cache and the
// window applied, and the relations the figures read (relations.ts) views over those requests or over the
// cache's hourly counts of them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type Behaviours, convertedColumns, exampleCount, type Malformed, quote } from "./convert.ts";
import { cachedLogFiles, hourlyFile, rowsFile } from "./log-cache.ts";
import { countedBy, relationNames } from "./relations.ts";

export type { Malformed } from "./convert.ts";

export interface LoadResult {
  /** Data lines read, comment headers left out; malformed ones included. */
  lines: number;
  malformedLines: number;
  /** The first few, so the report can say what is wrong. */
  malformedExamples: Malformed[];
  /** Files read from the cache as they were, files converted (first seen, changed or damaged), and files
   * forgotten by the cache because they no longer exist. */
  cache: { folder: string | undefined; reused: number; converted: number; pruned: number };
}

export interface LoadOptions {
  behaviours: Behaviours;
  since?: Date | undefined;
  until?: Date | undefined;
  /** The cache folder; none: converted into a temporary folder, removed once the view is dropped. */
  cache?: string | undefined;
}

const isoTimestamp = (at: Date) => at.toISOString().replace("T", " ").replace("Z", "");

/** How the relations are counted: from the cache's hourly counts (exact only for a window on whole hours:
 * relations.ts's onTheHour), or from the requests by a time unit (the figures' bucket). */
export type Counting = { from: "hourly counts" } | { from: "requests"; unit: string };

export interface Loaded extends LoadResult {
  /** (Re)defines the relations the figures read. */
  countBy: (counting: Counting) => Promise<void>;
  /** Removes what the load needed, once the figures are read. */
  release: () => Promise<void>;
}

/** Creates `edge_requests`; the relations are made by the returned countBy. */
export async function loadLogs(
  connection: DuckDBConnection,
  paths: string[],
  options: LoadOptions,
): Promise<Loaded> {
  const folder = options.cache ?? (await mkdtemp(join(tmpdir(), "goodgreets-metrics-")));
  const release = async () => {
    if (options.cache === undefined) await rm(folder, { recursive: true, force: true });
  };
  try {
    const { files: cached, pruned } = await cachedLogFiles(connection, paths, options.behaviours, folder);
    const result: LoadResult = {
      lines: 0,
      malformedLines: 0,
      malformedExamples: [],
      cache: {
        folder: options.cache,
        reused: cached.filter((entry) => !entry.converted).length,
        converted: cached.filter((entry) => entry.converted).length,
        pruned,
      },
    };
    for (const { facts } of cached) {
      result.lines += facts.lines;
      result.malformedLines += facts.malformedLines;
      result.malformedExamples.push(...facts.malformedExamples);
    }
    // Lines that do not split come before values that do not parse, as the reader reports them.
    result.malformedExamples = result.malformedExamples
      .toSorted((a, b) => Number(a.line === 0) - Number(b.line === 0))
      .slice(0, exampleCount);

    const window = [
      // A batch may also hold rows of files outside this review, or of a file's earlier contents.
      ...(cached.length > 0 ? [`file_id IN (${cached.map((entry) => entry.id).join(", ")})`] : []),
      ...(options.since ? [`ts >= ${quote(isoTimestamp(options.since))}::TIMESTAMP`] : []),
      ...(options.until ? [`ts < ${quote(isoTimestamp(options.until))}::TIMESTAMP`] : []),
    ];
    const batches = [...new Set(cached.map((entry) => entry.batch))];
    // No entries: an empty relation of the same columns.
    const source = (file: string) =>
      batches.length > 0
        ? `read_parquet([${batches.map((batch) => quote(join(batch, file))).join(", ")}])`
        : `(SELECT * FROM (SELECT ${nulls}) WHERE false)`;
    // Each figure's query opens every batch: their footers are read once, not once per query.
    await connection.run("SET GLOBAL parquet_metadata_cache = true");
    // A view, not a table: counting the relations from it reads only their columns from Parquet.
    await connection.run(`CREATE OR REPLACE VIEW edge_requests AS
      SELECT * EXCLUDE (malformed, file_id) FROM ${source(rowsFile)}
      WHERE ${["NOT malformed", ...window].join(" AND ")}`);
    // Counted once into tables, small beside the requests, which every figure then reads. No batches, no
    // hourly counts: the (empty) requests themselves.
    let counted = false;
    const countBy = async (counting: Counting) => {
      for (const relation of relationNames) {
        if (counted) await connection.run(`DROP TABLE ${relation}`);
        await connection.run(
          `CREATE TABLE ${relation} AS ${
            counting.from === "hourly counts" && batches.length > 0
              ? `SELECT * EXCLUDE (file_id) FROM ${source(hourlyFile(relation))}
                WHERE ${["TRUE", ...window].join(" AND ")}`
              : countedBy(counting.from === "requests" ? counting.unit : "hour", relation)
          }`,
        );
      }
      counted = true;
    };
    return { ...result, countBy, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** A NULL of each converted column, named and typed. */
const nulls = Object.entries(convertedColumns)
  .map(([name, type]) => `CAST(NULL AS ${type}) AS ${name}`)
  .join(", ");
