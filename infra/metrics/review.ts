// One edge metrics review: finds the log files, loads them into an in-memory DuckDB, runs the figures.
import { availableParallelism } from "node:os";
import { DuckDBInstance } from "@duckdb/node-api";
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import type { EdgeMetrics } from "./edge-metrics.ts";
import { loadLogs } from "./load.ts";
import { describeLogFile, listLogFiles } from "./log-files.ts";
import { summarise } from "./summarise.ts";

export interface ReviewOptions {
  paths: string[];
  behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[];
  now: Date;
  since?: Date | undefined;
  until?: Date | undefined;
}

export async function reviewEdgeLogs(options: ReviewOptions): Promise<EdgeMetrics> {
  const paths = await listLogFiles(options.paths);
  const files = await Promise.all(paths.map(describeLogFile));
  // Insertion order is never read (every figure is an aggregate): dropping it lets the load run in parallel,
  // on a thread per core.
  const instance = await DuckDBInstance.create(":memory:", {
    preserve_insertion_order: "false",
    threads: String(availableParallelism()),
  });
  const connection = await instance.connect();
  try {
    const load = await loadLogs(connection, files, options);
    return await summarise(connection, {
      now: options.now,
      files: files.length,
      load,
      since: options.since,
      until: options.until,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
