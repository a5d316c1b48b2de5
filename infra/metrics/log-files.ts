// Finds log files under the paths given and works out each one's format from its first bytes: gzip or
// not, CloudFront's W3C text (legacy, or standard logging v2's `w3c`/`plain`) or v2's JSON lines.
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { constants, gunzipSync } from "node:zlib";
import { accessLogFields, readLogHeader } from "./log-format.ts";

export interface LogFile {
  path: string;
  compression: "gzip" | "none";
  /**
   * `w3c`: fields split by `delimiter` under the `#Fields` header, or in the legacy order when there is
   * none (v2's `plain` output); `json`: one JSON object per line, keys are field names (v2's `json`);
   * `parquet`: v2's Parquet output to S3, a column per field.
   * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
   */
  format: "w3c" | "json" | "parquet";
  fields: string[];
  delimiter: string;
}

/** Enough of a file's start to hold its header and a first data line. */
const sniffBytes = 64 * 1024;

/** Every regular file named, and every file under each folder named (recursively, dot-files skipped). */
export async function listLogFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw error.code === "ENOENT" ? new Error(`no log file or folder at ${path}`) : error;
    });
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const entry of entries)
        if (entry.isFile() && !entry.name.startsWith(".")) files.push(join(entry.parentPath, entry.name));
    } else files.push(path);
  }
  return files.sort();
}

async function firstBytes(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(sniffBytes);
    const { bytesRead } = await handle.read(buffer, 0, sniffBytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function describeLogFile(path: string): Promise<LogFile> {
  const start = await firstBytes(path);
  if (start.subarray(0, 4).toString("latin1") === "PAR1")
    return { path, compression: "none", format: "parquet", fields: [], delimiter: "" };
  const gzip = start[0] === 0x1f && start[1] === 0x8b;
  // A partial gzip stream inflates as far as it goes with a sync flush instead of failing at its cut.
  const text = (gzip ? gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH }) : start).toString("utf8");
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const header = readLogHeader(lines);
  const firstData = lines.find((line) => line !== "" && !line.startsWith("#")) ?? "";
  const compression = gzip ? "gzip" : "none";
  if (firstData.startsWith("{")) return { path, compression, format: "json", fields: [], delimiter: "" };
  // v2 lets a delivery choose its field delimiter; CloudFront encodes spaces and tabs inside values.
  const delimiter =
    firstData.includes("\t") || firstData === "" ? "\t" : firstData.includes(" ") ? " " : "\t";
  return { path, compression, format: "w3c", fields: header.fields ?? [...accessLogFields], delimiter };
}
