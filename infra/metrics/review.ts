// One edge metrics review: finds the log files, makes them an in-memory DuckDB's view, runs the figures.
import { availableParallelism } from "node:os";
import { resolve, sep } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { BehaviourDeclaration } from "../../edge/distribution.ts";
import type { EdgeMetrics } from "./edge-metrics.ts";
import { type LoadResult, loadLogs } from "./load.ts";
import { forgetCache } from "./log-cache.ts";
import { listLogFiles } from "./log-files.ts";
import { summarise } from "./summarise.ts";

export interface ReviewOptions {
  paths: string[];
  behaviours: readonly Pick<BehaviourDeclaration, "pathPattern">[];
  now: Date;
  since?: Date | undefined;
  until?: Date | undefined;
  /** The columnar cache's folder (log-cache.ts); none: each file is converted for this review only. */
  cache?: string | undefined;
  /** Told how the cache served this review. */
  onCache?: (use: LoadResult["cache"]) => void;
  /** False: every figure from the requests themselves, never from the hourly counts (they must agree;
   * the tests compare the two). */
  hourly?: boolean;
}

export async function reviewEdgeLogs(options: ReviewOptions): Promise<EdgeMetrics> {
  try {
    return await reviewOnce(options);
  } catch (error) {
    // A batch whose footer reads but whose pages do not fails only once the figures read it: the cache is
    // forgotten and every file converted again, once. An error that is not the cache's comes back.
    if (!options.cache || !(await forgetCache(options.cache))) throw error;
    return await reviewOnce(options);
  }
}

async function reviewOnce(options: ReviewOptions): Promise<EdgeMetrics> {
  // A folder named may hold the cache itself (`npm run metrics -- data/`): its entries are not logs.
  const cache = options.cache ? `${resolve(options.cache)}${sep}` : undefined;
  const paths = (await listLogFiles(options.paths)).filter(
    (path) => !cache || !resolve(path).startsWith(cache),
  );
  // Insertion order is never read (every figure is an aggregate): dropping it lets the conversion run in
  // parallel, on a thread per core.
  const instance = await DuckDBInstance.create(":memory:", {
    preserve_insertion_order: "false",
    threads: String(availableParallelism()),
  });
  const connection = await instance.connect();
  try {
    const load = await loadLogs(connection, paths, options);
    try {
      const metrics = await summarise(instance, {
        now: options.now,
        files: paths.length,
        load,
        hourly: options.hourly ?? true,
        since: options.since,
        until: options.until,
      });
      options.onCache?.(load.cache);
      return metrics;
    } finally {
      await load.release();
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
