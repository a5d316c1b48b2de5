// The columnar cache: log files converted to Parquet (convert.ts), the files new to a review together into
// one batch — a folder of their rows and of the relations the figures read counted by hour
// (relations.ts) — and read from there while unchanged. CloudFront never rewrites a log file it has
// delivered, so reviewing again pays the parse once, and a review on whole hours reads only the counts.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type Behaviours, convertLogFiles, type FileFacts, groupKey, quote } from "./convert.ts";
import { describeLogFile, type LogFile } from "./log-files.ts";
import { behaviourCase } from "./queries.ts";
import { countedBy, relationNames } from "./relations.ts";

/** Raised whenever the converted columns or their meaning change, so older caches are converted again. */
const cacheVersion = 4;
const manifestName = "manifest.json";
/** A batch's files: every file's rows, and each relation counted by hour. */
export const rowsFile = "rows.parquet";
export const hourlyFile = (relation: string) => `${relation}.parquet`;
const batchFiles = [rowsFile, ...relationNames.map(hourlyFile)];

/** A batch no file refers to may still be read by a review running at the same time (or be one such
 * review's, not yet in the manifest): removed once it is an hour old. */
const strayMs = 60 * 60 * 1000;

/**
 * The calls that look over the cache folder, which reviews run at the same time share: a name listed may be
 * renamed or removed by another review before it is looked at. Tests put such a step between two calls.
 */
export interface CacheFolder {
  readdir(folder: string): Promise<string[]>;
  stat(path: string): Promise<{ mtimeMs: number }>;
}
const nodeFolder: CacheFolder = { readdir: (folder) => readdir(folder), stat: (path) => stat(path) };

/** Undefined for a file that is not there (any longer); every other error is raised. */
const unlessMissing = (error: NodeJS.ErrnoException): undefined => {
  if (error.code === "ENOENT") return undefined;
  throw error;
};

/** A file as it was converted (size, modification time, inode), where its rows are and what was learnt. */
interface FileEntry extends FileFacts {
  size: string;
  mtimeNs: string;
  ino: string;
  batch: string;
  id: number;
}

/** `manifest.json`: every file converted into this cache, by absolute path, and the row count of each
 * batch's files, by batch and file name. */
interface Manifest {
  version: number;
  /** The behaviours' path patterns the rows were matched against (changed ones: all converted again). */
  behaviours: string;
  nextId: number;
  batches: Record<string, Record<string, number>>;
  files: Record<string, FileEntry>;
}

export interface CachedFile {
  path: string;
  /** The batch folder holding the file's rows and counts, and the id they carry there. */
  batch: string;
  id: number;
  facts: FileFacts;
  /** False when the file's rows were in the cache already. */
  converted: boolean;
}

type Identity = Pick<FileEntry, "size" | "mtimeNs" | "ino">;

async function fileIdentity(path: string): Promise<Identity | undefined> {
  const info = await stat(path, { bigint: true }).catch(unlessMissing);
  return info && { size: String(info.size), mtimeNs: String(info.mtimeNs), ino: String(info.ino) };
}

/** The manifest, or an empty one when there is none, it is torn, or it was made for other behaviours. */
async function readManifest(folder: string, behaviours: string): Promise<Manifest> {
  const empty: Manifest = { version: cacheVersion, behaviours, nextId: 1, batches: {}, files: {} };
  const text = await readFile(join(folder, manifestName), "utf8").catch(unlessMissing);
  if (text === undefined) return empty;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return empty; // torn or foreign: every file is converted again
  }
  return manifest.version === cacheVersion && manifest.behaviours === behaviours ? manifest : empty;
}

/** Rows per Parquet file by its footer; a file DuckDB cannot read as Parquet is left out. */
async function footerRows(connection: DuckDBConnection, paths: string[]): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  const read = async (list: string[]) => {
    const reader = await connection.runAndReadAll(
      `SELECT file_name, num_rows FROM parquet_file_metadata([${list.map(quote).join(", ")}])`,
    );
    for (const [name, count] of reader.getRows()) rows.set(String(name), Number(count));
  };
  if (paths.length === 0) return rows;
  // All at once; when one is damaged, one by one to find which.
  await read(paths).catch(() => Promise.all(paths.map((path) => read([path]).catch(() => undefined))));
  return rows;
}

const same = (entry: FileEntry | undefined, identity: Identity | undefined) =>
  entry !== undefined &&
  identity !== undefined &&
  entry.size === identity.size &&
  entry.mtimeNs === identity.mtimeNs &&
  entry.ino === identity.ino;

/**
 * Each file's rows in `folder`, converting those new, changed, or whose batch is damaged; forgets files
 * that no longer exist and removes batches nothing refers to. `pruned`: files forgotten.
 */
export async function cachedLogFiles(
  connection: DuckDBConnection,
  paths: string[],
  behaviours: Behaviours,
  folder: string,
  calls: CacheFolder = nodeFolder,
): Promise<{ files: CachedFile[]; pruned: number }> {
  await mkdir(folder, { recursive: true });
  const matching = createHash("sha256").update(behaviourCase(behaviours)).digest("hex");
  const manifest = await readManifest(folder, matching);
  const reviewed = paths.map((path) => resolve(path));
  const identities = new Map(
    await Promise.all(reviewed.map(async (path) => [path, await fileIdentity(path)] as const)),
  );
  const candidates = reviewed.filter((path) => same(manifest.files[path], identities.get(path)));
  const batches = [...new Set(candidates.map((path) => manifest.files[path]?.batch ?? ""))];
  const footers = await footerRows(
    connection,
    batches.flatMap((batch) => batchFiles.map((name) => join(folder, batch, name))),
  );
  const whole = new Set(
    batches.filter((batch) =>
      batchFiles.every((name) => footers.get(join(folder, batch, name)) === manifest.batches[batch]?.[name]),
    ),
  );
  const cached = new Set(candidates.filter((path) => whole.has(manifest.files[path]?.batch ?? "")));

  // The rest, converted a group (format, fields, delimiter, compression) at a time into a new batch.
  const groups = new Map<string, { file: LogFile; id: number }[]>();
  for (const path of reviewed.filter((path) => !cached.has(path))) {
    const file = await describeLogFile(path);
    const group = groups.get(groupKey(file)) ?? [];
    group.push({ file, id: manifest.nextId++ });
    groups.set(groupKey(file), group);
  }
  for (const group of groups.values()) {
    const batch = `batch-${randomUUID()}`;
    // Written aside, then renamed into place: a reader never sees half a batch.
    const temporary = join(folder, `${batch}.tmp`);
    try {
      await mkdir(temporary);
      const facts = await convertLogFiles(connection, group, behaviours, join(temporary, rowsFile));
      const counts = await writeHourly(connection, temporary);
      await rename(temporary, join(folder, batch));
      const rowCounts: Record<string, number> = { ...counts, [rowsFile]: 0 };
      manifest.batches[batch] = rowCounts;
      for (const { file, id } of group) {
        const fileFacts = facts.get(id) ?? { lines: 0, malformedLines: 0, malformedExamples: [], rows: 0 };
        const identity = identities.get(file.path);
        if (!identity) throw new Error(`${file.path} disappeared while it was read`);
        manifest.files[file.path] = { ...identity, batch, id, ...fileFacts };
        rowCounts[rowsFile] = (rowCounts[rowsFile] ?? 0) + fileFacts.rows;
      }
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }

  const pruned = await forgetDeleted(folder, manifest, identities, calls);
  const written = join(folder, `${manifestName}.${randomUUID()}.tmp`);
  await writeFile(written, JSON.stringify(manifest));
  await rename(written, join(folder, manifestName));
  return {
    files: reviewed.map((path) => {
      const entry = manifest.files[path];
      if (!entry) throw new Error(`${path} was not converted`);
      return {
        path,
        batch: join(folder, entry.batch),
        id: entry.id,
        facts: entry,
        converted: !cached.has(path),
      };
    }),
    pruned,
  };
}

/** Writes each relation counted by file and hour beside a batch's rows; their row counts by file name. The
 * malformed rows are left out, as from every figure. */
async function writeHourly(connection: DuckDBConnection, batch: string): Promise<Record<string, number>> {
  const rows = `(SELECT * FROM read_parquet(${quote(join(batch, rowsFile))}) WHERE NOT malformed)`;
  const counts: Record<string, number> = {};
  for (const relation of relationNames) {
    const copied = await connection.runAndReadAll(
      `COPY (${countedBy("hour", relation, rows, ["file_id"])}) TO ${quote(join(batch, hourlyFile(relation)))} (FORMAT parquet)`,
    );
    counts[hourlyFile(relation)] = Number(copied.getRows()[0]?.[0] ?? 0);
  }
  return counts;
}

/** Forgets every file the cache lists (their batches go once an hour old); false when it listed none. */
export async function forgetCache(folder: string): Promise<boolean> {
  // Removed straight away, not looked for first: another review may remove or replace it in between.
  // unlink, not rm: of two unlinks only one succeeds, so a single review says it forgot the cache.
  const removed = await unlink(join(folder, manifestName)).then(() => true, unlessMissing);
  return removed ?? false;
}

/** Drops the files that no longer exist from the manifest, and the batches no file refers to any more. */
async function forgetDeleted(
  folder: string,
  manifest: Manifest,
  known: Map<string, Identity | undefined>,
  calls: CacheFolder,
): Promise<number> {
  let pruned = 0;
  for (const path of Object.keys(manifest.files)) {
    const identity = known.has(path) ? known.get(path) : await fileIdentity(path);
    if (identity) continue;
    delete manifest.files[path];
    pruned += 1;
  }
  const used = new Set(Object.values(manifest.files).map((entry) => entry.batch));
  for (const batch of Object.keys(manifest.batches)) if (!used.has(batch)) delete manifest.batches[batch];
  for (const name of await calls.readdir(folder)) {
    if (name === manifestName || name in manifest.batches) continue;
    // Gone since the listing: another review renamed its `.tmp` into place, or removed a stray batch.
    const info = await calls.stat(join(folder, name)).catch(unlessMissing);
    if (info && Date.now() - info.mtimeMs > strayMs)
      await rm(join(folder, name), { recursive: true, force: true });
  }
  return pruned;
}
