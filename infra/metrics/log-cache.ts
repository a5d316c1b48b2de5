// The columnar cache: each log file converted once to Parquet (convert.ts) and read from there while it is
// unchanged. CloudFront never rewrites a log file it has delivered, so reviewing again pays the parse once.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type Behaviours, convertLogFile, type FileFacts, quote } from "./convert.ts";
import type { LogFile } from "./log-files.ts";
import { behaviourCase } from "./queries.ts";

/** Raised whenever the converted columns or their meaning change, so older entries are converted again. */
const cacheVersion = 2;

/** An entry's record, `<key>.json` beside `<key>.parquet`: which file, as it was, and what was learnt. */
interface EntryRecord extends FileFacts {
  version: number;
  /** The behaviours' path patterns the rows were matched against (changed ones are matched again). */
  behaviours: string;
  source: string;
  size: string;
  mtimeNs: string;
  ino: string;
}

export interface CachedFile {
  file: LogFile;
  parquet: string;
  facts: FileFacts;
  /** False when the entry was there and valid. */
  converted: boolean;
}

/** Entries are keyed by the file's absolute path: a changed file replaces its own entry. */
const entryBase = (folder: string, path: string) =>
  join(folder, createHash("sha256").update(resolve(path)).digest("hex").slice(0, 32));

async function fileIdentity(path: string): Promise<Pick<EntryRecord, "size" | "mtimeNs" | "ino">> {
  const info = await stat(path, { bigint: true });
  return { size: String(info.size), mtimeNs: String(info.mtimeNs), ino: String(info.ino) };
}

/** The entry's record, or undefined when there is none or it is unreadable as one (rebuilt, not fatal). */
async function readRecord(base: string): Promise<EntryRecord | undefined> {
  const text = await readFile(`${base}.json`, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as EntryRecord;
  } catch {
    return undefined; // a torn or foreign record: the entry is converted again
  }
}

/** Rows per Parquet file by its footer, undefined for a file DuckDB cannot read as Parquet. */
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
  await read(paths).catch(() =>
    Promise.all(paths.map((path) => read([path]).catch(() => undefined))).then(() => undefined),
  );
  return rows;
}

/** Each file's Parquet entry in `folder`, converting those missing, out of date or damaged. */
export async function cachedLogFiles(
  connection: DuckDBConnection,
  files: LogFile[],
  behaviours: Behaviours,
  folder: string,
): Promise<CachedFile[]> {
  await mkdir(folder, { recursive: true });
  const matching = createHash("sha256").update(behaviourCase(behaviours)).digest("hex");
  const found = await Promise.all(
    files.map(async (file) => {
      const base = entryBase(folder, file.path);
      const identity = await fileIdentity(file.path);
      const record = await readRecord(base);
      const current =
        record?.version === cacheVersion &&
        record.behaviours === matching &&
        record.size === identity.size &&
        record.mtimeNs === identity.mtimeNs &&
        record.ino === identity.ino;
      return { file, base, identity, record: current ? record : undefined };
    }),
  );
  const footers = await footerRows(
    connection,
    found.filter((entry) => entry.record).map((entry) => `${entry.base}.parquet`),
  );
  const cached: CachedFile[] = [];
  for (const { file, base, identity, record } of found) {
    const parquet = `${base}.parquet`;
    if (record && footers.get(parquet) === record.rows) {
      cached.push({ file, parquet, facts: record, converted: false });
      continue;
    }
    // Written aside, then renamed into place: a reader never sees half an entry.
    const temporary = `${base}.${randomUUID()}.tmp`;
    try {
      const facts = await convertLogFile(connection, file, behaviours, `${temporary}.parquet`);
      const entry: EntryRecord = {
        version: cacheVersion,
        behaviours: matching,
        source: resolve(file.path),
        ...identity,
        ...facts,
      };
      await writeFile(`${temporary}.json`, JSON.stringify(entry));
      await rename(`${temporary}.parquet`, parquet);
      await rename(`${temporary}.json`, `${base}.json`);
      cached.push({ file, parquet, facts, converted: true });
    } finally {
      await rm(`${temporary}.parquet`, { force: true });
      await rm(`${temporary}.json`, { force: true });
    }
  }
  return cached;
}

/** Removes the entries of log files that no longer exist, so the folder does not outgrow the logs. */
export async function pruneCache(folder: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(folder)) {
    if (!name.endsWith(".json") || name.includes(".tmp")) continue;
    const base = join(folder, name.slice(0, -".json".length));
    const record = await readRecord(base);
    const gone =
      record === undefined ||
      (await stat(record.source).then(
        () => false,
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return true;
          throw error;
        },
      ));
    if (!gone) continue;
    await rm(`${base}.parquet`, { force: true });
    await rm(`${base}.json`, { force: true });
    removed += 1;
  }
  return removed;
}
