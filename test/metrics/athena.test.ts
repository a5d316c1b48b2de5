// The Athena statements read the columns DuckDB loads, and differ from DuckDB's only in the dialect.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { athenaStatements } from "../../infra/metrics/athena.ts";
import { loadLogs } from "../../infra/metrics/load.ts";
import { accessLogFields, columnName } from "../../infra/metrics/log-format.ts";
import { athena, duckdb, metricQueries } from "../../infra/metrics/queries.ts";
import { relationNames } from "../../infra/metrics/relations.ts";

import { type SampleRequest, times, w3cFile } from "./sample-logs.ts";

const statements = athenaStatements(distribution.behaviours, "s3://logs/cloudfront/");

const requests: SampleRequest[] = [
  ...times(2, {
    at: "2026-11-28T10:00:01",
    uri: "/img/a.svg",
    query: "w=320",
    status: 200,
    result: "Miss",
    bytes: 900,
    timeTaken: 0.2,
    contentType: "image/svg+xml",
  }),
  {
    at: "2026-11-28T10:00:02",
    uri: "/_astro/app.js",
    status: 200,
    result: "Hit",
    bytes: 500,
    timeTaken: 0.001,
    contentType: "text/javascript",
  },
  {
    at: "2026-11-28T10:00:03",
    uri: "/api/health",
    status: 502,
    result: "Error",
    detailed: "OriginConnectError",
    bytes: 300,
    timeTaken: 1.25,
  },
  {
    at: "2026-11-28T10:00:04",
    uri: "/",
    status: 200,
    result: "RefreshHit",
    bytes: 700,
    timeTaken: 0.01,
    contentType: "text/html",
  },
];

/** read_csv's column list: c0…cN as strings, converted by the INSERT into the table's types. */
const describeColumns = (count: number) =>
  `{${Array.from({ length: count }, (_, index) => `'c${index}': 'VARCHAR'`).join(", ")}}`;

describe("Athena statements", () => {
  it("define the log table with a column for each of today's 33 fields, named as Athena's guide names them", () => {
    const columns = [...(statements.table ?? "").matchAll(/^ {2}`([a-z0-9_]+)` /gm)].map((match) => match[1]);
    expect(columns).toEqual(accessLogFields.map(columnName));
    expect(columns).toContain("cs_host");
    expect(columns).toContain("x_edge_detailed_result_type");
    expect(statements.table).toContain("LOCATION 's3://logs/cloudfront/'");
  });

  it("make a view that yields what DuckDB's loader yields from the same log file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "athena-view-"));
    const file = join(folder, "E2EXAMPLE.2026-11-28-10.a1b2c3d4");
    await writeFile(file, w3cFile(requests, 33));
    const instance = await DuckDBInstance.create(":memory:");
    const loader = await instance.connect();
    const athenaLike = await (await DuckDBInstance.create(":memory:")).connect();
    const load = await loadLogs(loader, [file], { behaviours: distribution.behaviours });
    try {
      // The table as a DuckDB table: Hive's DDL words and types swapped for DuckDB's, "-" read as NULL
      // as Athena's LazySimpleSerDe reads a value that does not parse.
      const table = (statements.table ?? "")
        .replace("CREATE EXTERNAL TABLE IF NOT EXISTS", "CREATE TABLE")
        .replace(/\)\nROW FORMAT[\s\S]*$/, ")")
        .replaceAll("`", '"')
        .replaceAll(" STRING", " VARCHAR");
      await athenaLike.run(table);
      await athenaLike.run(
        `INSERT INTO cloudfront_standard_logs SELECT * FROM read_csv('${file}', delim='\t', header=false, skip=2,
          quote='', escape='', nullstr='-', auto_detect=false, columns=${describeColumns(accessLogFields.length)})`,
      );
      await athenaLike.run(statements.view ?? "");
      const columns =
        "ts, cs_uri_stem, sc_status, cs_uri_query, x_edge_result_type, x_edge_detailed_result_type, time_taken, content_type, behaviour, sc_bytes";
      const read = async (connection: DuckDBConnection) =>
        (await connection.runAndReadAll(`SELECT ${columns} FROM edge_requests ORDER BY ALL`)).getRowsJS();
      const fromView = await read(athenaLike);
      expect(fromView).toHaveLength(requests.length);
      expect(fromView).toEqual(await read(loader));
      const viewColumns = (await athenaLike.runAndReadAll("DESCRIBE edge_requests")).getRowObjectsJS();
      const tableColumns = (await loader.runAndReadAll("DESCRIBE edge_requests")).getRowObjectsJS();
      expect(viewColumns.map((row) => row.column_name)).toEqual(tableColumns.map((row) => row.column_name));
      // Over the relations' views, a row per request, every figure is what the loader's counts give.
      for (const relation of relationNames) await athenaLike.run(statements[relation] ?? "");
      await load.countBy({ from: "requests", unit: "hour" });
      for (const query of Object.values(metricQueries)) {
        const figure = async (connection: DuckDBConnection) =>
          (await connection.runAndReadAll(query(duckdb, "hour"))).getRowsJS();
        expect(await figure(athenaLike)).toEqual(await figure(loader));
      }
    } finally {
      await load.release();
      loader.closeSync();
      athenaLike.closeSync();
      instance.closeSync();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("run each figure's query with a since/until window, and nothing else changed", () => {
    for (const [name, query] of Object.entries(metricQueries)) {
      const text = statements[name] ?? "";
      const local = query(duckdb, "hour").replaceAll(duckdb.window, athena.window);
      expect(text.endsWith(`${local}\n`)).toBe(true);
      expect(text).toMatch(/^-- Named query "edge-metrics-/);
    }
  });
});
