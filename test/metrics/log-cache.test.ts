// The columnar cache: a file is converted once and read from the cache after; a changed file is read again,
// a deleted one drops out, a damaged entry is rebuilt, and windows stay exact over cached files.
import {
  appendFile,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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
let uses: LoadResult["cache"][];

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

const review = (options: { paths?: string[]; since?: Date; until?: Date; cache?: string | undefined } = {}) =>
  reviewEdgeLogs({
    paths: [logs],
    behaviours: distribution.behaviours,
    now,
    cache,
    onCache: (use) => uses.push(use),
    ...options,
  });
/** The batch folders, each a file's rows and the hourly counts beside them. */
const batches = async () =>
  (await readdir(cache)).filter((name) => name.startsWith("batch-") && !name.endsWith(".tmp")).toSorted();
const manifest = async () =>
  JSON.parse(await readFile(join(cache, "manifest.json"), "utf8")) as {
    files: Record<string, unknown>;
    batches: Record<string, Record<string, number>>;
  };
/** The files the cache's manifest lists, by name. */
const listed = async () =>
  Object.keys((await manifest()).files)
    .map((path) => basename(path))
    .toSorted();

describe("the metrics cache", () => {
  it("converts each file once, then reads the figures from the cache alone", async () => {
    const first = await review();
    expect(uses.at(-1)).toMatchObject({ folder: cache, reused: 0, converted: 2, pruned: 0 });
    // Files new to a review, of one format, are converted together into one batch.
    const [batch = ""] = await batches();
    expect(await batches()).toHaveLength(1);
    expect((await readdir(join(cache, batch))).toSorted()).toEqual([
      "edge_latency.parquet",
      "edge_paths.parquet",
      "edge_traffic.parquet",
      "rows.parquet",
    ]);
    expect(await listed()).toEqual(["E2EXAMPLE.2026-11-28-10.a1", "E2EXAMPLE.2026-11-28-11.b2"]);
    const second = await review();
    expect(uses.at(-1)).toMatchObject({ reused: 2, converted: 0 });
    expect(second).toEqual(first);
    expect(second.requests).toBe(6);
    expect(second.resultTypes).toMatchObject({ hit: 3, miss: 3 });
  });

  it("reads only the files named, though their rows share a batch with others", async () => {
    await review();
    const one = await review({ paths: [join(logs, "E2EXAMPLE.2026-11-28-11.b2")] });
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 0 });
    expect(one.requests).toBe(hourEleven.length);
    expect(await listed()).toHaveLength(2); // the other file is still known
  });

  it("reads an appended file again, and a file changed in place at a later time", async () => {
    await review();
    const file = join(logs, "E2EXAMPLE.2026-11-28-11.b2");
    await appendFile(file, `${w3cValues(request("2026-11-28T11:20:00", "Hit")).join("\t")}\n`);
    const appended = await review();
    expect(uses.at(-1)).toMatchObject({ reused: 1, converted: 1 });
    expect(appended.requests).toBe(7);
    expect(appended.resultTypes).toMatchObject({ hit: 4, miss: 3 });
    expect(await batches()).toHaveLength(2); // the first batch still holds the other file's rows
    expect(await listed()).toHaveLength(2);

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
    expect(await listed()).toEqual(["E2EXAMPLE.2026-11-28-10.a1"]);
  });

  it("rebuilds a damaged entry instead of failing", async () => {
    const first = await review();
    const [batch = ""] = await batches();
    await writeFile(join(cache, batch, "rows.parquet"), "not parquet");
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });

    // The damaged batch stays a while (a review running meanwhile may be reading it): the new one is listed.
    const [rebuilt = ""] = Object.keys((await manifest()).batches);
    await truncate(join(cache, rebuilt, "edge_traffic.parquet"), 100); // cut short
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });

    // Damaged inside, its footer whole: found only when the figures read it.
    const [inside = ""] = Object.keys((await manifest()).batches);
    // Parquet ends with its footer's length and "PAR1": every page before the footer is overwritten.
    const damageInside = async (file: string) => {
      const bytes = await readFile(file);
      bytes.fill(0xff, 4, bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8));
      await writeFile(file, bytes);
    };
    await damageInside(join(cache, inside, "rows.parquet"));
    // A window off the hour: the figures read the rows themselves.
    const offTheHour = { since: new Date("2026-11-28T10:30:00Z") };
    const windowed = await review({ ...offTheHour, cache: undefined });
    expect(await review(offTheHour)).toEqual(windowed);
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });
    const [counted = ""] = Object.keys((await manifest()).batches);
    await damageInside(join(cache, counted, "edge_paths.parquet"));
    expect(await review()).toEqual(first); // on the hour: from the counts
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });

    await writeFile(join(cache, "manifest.json"), '{"version":'); // torn
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 0, converted: 2 });
    expect(await review()).toEqual(first);
    expect(uses.at(-1)).toMatchObject({ reused: 2, converted: 0 });
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
