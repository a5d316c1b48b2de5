// The columnar cache: a file is converted once and read from the cache after; a changed file is read again,
// a deleted one drops out, a damaged entry is rebuilt, and windows stay exact over cached files.
import { appendFile, mkdtemp, readdir, rm, stat, truncate, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import type { LoadResult } from "../../infra/metrics/load.ts";
import { reviewEdgeLogs } from "../../infra/metrics/review.ts";
import { type SampleRequest, times, w3cFile, w3cValues } from "./sample-logs.ts";

const now = new Date("2026-11-30T12:00:00Z");
const request = (at: string, result: SampleRequest["result"]): SampleRequest => ({
  at,
  uri: "/",
  status: 200,
  result,
  bytes: 100,
  timeTaken: result === "Miss" ? 0.1 : 0.001,
});
const hourTen = [...times(3, request("2026-11-28T10:00:00", "Hit")), request("2026-11-28T10:30:00", "Miss")];
const hourEleven = times(2, request("2026-11-28T11:15:00", "Miss"));

let logs: string;
let cache: string;
let uses: (LoadResult["cache"] & { pruned: number })[];

beforeEach(async () => {
  logs = await mkdtemp(join(tmpdir(), "metrics-cache-logs-"));
  cache = await mkdtemp(join(tmpdir(), "metrics-cache-"));
  uses = [];
  await writeFile(join(logs, "E2EXAMPLE.2026-11-28-10.a1"), w3cFile(hourTen, 33));
  await writeFile(join(logs, "E2EXAMPLE.2026-11-28-11.b2"), w3cFile(hourEleven, 33));
});
afterEach(async () => {
  await rm(logs, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

const review = (options: { since?: Date; until?: Date; cache?: string | undefined } = {}) =>
  reviewEdgeLogs({
    paths: [logs],
    behaviours: distribution.behaviours,
    now,
    cache,
    onCache: (use) => uses.push(use),
    ...options,
  });
const entries = async () => (await readdir(cache)).toSorted();

describe("the metrics cache", () => {
  it("converts each file once, then reads the figures from the cache alone", async () => {
    const first = await review();
    expect(uses.at(-1)).toMatchObject({ folder: cache, reused: 0, converted: 2, pruned: 0 });
    expect(await entries()).toHaveLength(4); // a Parquet file and a record per log file
    const second = await review();
    expect(uses.at(-1)).toMatchObject({ reused: 2, converted: 0 });
    expect(second).toEqual(first);
    expect(second.requests).toBe(6);
    expect(second.resultTypes).toMatchObject({ hit: 3, miss: 3 });
  });

  it("reads an appended file again, and a file changed in place at a later time", async () => {
    await review();
    const file = join(logs, "E2EXAMPLE.2026-11-28-11.b2");
    await appendFile(file, `${w3cValues(request("2026-11-28T11:20:00", "Hit")).join("\t")}\n`);
    const appended = await review();
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 1 });
    expect(appended.requests).toBe(7);
    expect(appended.resultTypes).toMatchObject({ hit: 4, miss: 3 });
    expect(await entries()).toHaveLength(4); // the file's entry replaced, not added to

    // Same size, same inode: only the modification time tells (as for make and rsync).
    const other = join(logs, "E2EXAMPLE.2026-11-28-10.a1");
    const before = (await stat(other)).size;
    await writeFile(
      other,
      w3cFile(
        hourTen.map((entry) => ({ ...entry, status: 404 })),
        33,
      ),
    );
    expect((await stat(other)).size).toBe(before);
    await utimes(other, new Date("2026-11-29T00:00:00Z"), new Date("2026-11-29T00:00:00Z"));
    const changed = await review();
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 1 });
    expect(changed.statuses).toEqual([
      { status: 200, requests: 3 },
      { status: 404, requests: 4 },
    ]);
  });

  it("matches the rows against the behaviours again when they change", async () => {
    await review();
    const regrouped = await reviewEdgeLogs({
      paths: [logs],
      behaviours: [{ pathPattern: "/" }, { pathPattern: "*" }],
      now,
      cache,
      onCache: (use) => uses.push(use),
    });
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });
    expect(regrouped.byBehaviour.map((entry) => [entry.behaviour, entry.requests])).toEqual([["/", 6]]);
  });

  it("leaves a deleted file out of the figures and removes its entry", async () => {
    await review();
    await rm(join(logs, "E2EXAMPLE.2026-11-28-11.b2"));
    const metrics = await review();
    expect(metrics.requests).toBe(hourTen.length);
    expect(metrics.input.files).toBe(1);
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 0, pruned: 1 });
    expect(await entries()).toHaveLength(2);
  });

  it("rebuilds a damaged entry instead of failing", async () => {
    const first = await review();
    const names = await entries();
    const [parquetA = "", parquetB = ""] = names.filter((name) => name.endsWith(".parquet"));
    const [recordA = ""] = names.filter((name) => name.endsWith(".json"));
    await writeFile(join(cache, parquetA), "not parquet");
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 1 });

    await truncate(join(cache, parquetB), 100); // cut short
    await writeFile(join(cache, recordA), '{"version":'); // torn
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });
  });

  it("keeps --since/--until exact over cached files", async () => {
    const window = { since: new Date("2026-11-28T10:30:00Z"), until: new Date("2026-11-28T11:15:00Z") };
    const uncached = await review({ ...window, cache: undefined });
    expect(uses.at(-1)).toMatchObject({ folder: undefined, converted: 2 });
    expect(uncached.requests).toBe(1); // the 10:30 miss; 11:15 is the window's open end
    await review(); // fills the cache with every line
    const cached = await review(window);
    expect(uses.at(-1)).toMatchObject({ reused: 2, converted: 0 });
    expect(cached).toEqual(uncached);
    const later = await review({ since: new Date("2026-11-28T11:15:00Z") });
    expect(later.requests).toBe(hourEleven.length);
  });
});
