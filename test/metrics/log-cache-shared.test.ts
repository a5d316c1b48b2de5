// Two reviews sharing one cache folder: a name one review lists may be renamed or removed by the other
// before it is looked at; that name is skipped, while any other failure to look still surfaces.
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { type CacheFolder, cachedLogFiles, forgetCache } from "../../infra/metrics/log-cache.ts";
import { type SampleRequest, w3cFile } from "./sample-logs.ts";

const hit: SampleRequest = {
  at: "2026-11-28T10:00:00",
  uri: "/",
  status: 200,
  result: "Hit",
  bytes: 100,
  timeTaken: 0.001,
};

let logs: string;
let cache: string;
let connection: DuckDBConnection;
let close: () => void;
/** Another review's batch being written: renamed into place or removed while this review scans. */
const otherReviews = "batch-other.parquet.tmp";

beforeEach(async () => {
  logs = await mkdtemp(join(tmpdir(), "metrics-shared-logs-"));
  cache = await mkdtemp(join(tmpdir(), "metrics-shared-cache-"));
  await writeFile(join(logs, "E2EXAMPLE.2026-11-28-10.a1"), w3cFile([hit], 33));
  await writeFile(join(cache, otherReviews), "half a batch");
  const instance = await DuckDBInstance.create(":memory:");
  connection = await instance.connect();
  close = () => {
    connection.closeSync();
    instance.closeSync();
  };
});
afterEach(async () => {
  close();
  await rm(logs, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

const review = (calls: CacheFolder) =>
  cachedLogFiles(
    connection,
    [join(logs, "E2EXAMPLE.2026-11-28-10.a1")],
    distribution.behaviours,
    cache,
    calls,
  );

describe("two reviews sharing the metrics cache", () => {
  it("skips a file the other review removes between listing the folder and looking at it", async () => {
    const listings: string[][] = [];
    const result = await review({
      readdir: async (folder) => {
        const names = await readdir(folder);
        listings.push(names);
        await rm(join(folder, otherReviews)); // the other review, between this one's two calls
        return names;
      },
      stat: (path) => stat(path),
    });
    expect(listings).toEqual([expect.arrayContaining([otherReviews])]); // listed, then gone
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatchObject({ converted: true, facts: { rows: 1 } });
  });

  it("still fails on any other error looking at a listed file", async () => {
    const denied = Object.assign(new Error("permission denied"), { code: "EACCES" });
    await expect(
      review({
        readdir: (folder) => readdir(folder),
        stat: async (path) => {
          if (path.endsWith(otherReviews)) throw denied;
          return stat(path);
        },
      }),
    ).rejects.toBe(denied);
  });

  it("forgets the cache once when two reviews forget it at the same time", async () => {
    const calls: CacheFolder = { readdir: (folder) => readdir(folder), stat: (path) => stat(path) };
    await review(calls);
    const forgotten = await Promise.all([forgetCache(cache), forgetCache(cache)]);
    expect(forgotten.toSorted()).toEqual([false, true]);
    expect(await readdir(cache)).not.toContain("manifest.json");
    expect(await forgetCache(cache)).toBe(false);
  });
});
