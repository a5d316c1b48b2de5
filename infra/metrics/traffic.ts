// `npm run traffic -- [--url U] [--requests N] [--concurrency C] [--seed S]`: replays the traffic mix
// against the local edge (data/local.env's URL by default) with a progress bar, so `npm run metrics`
// has logs to review.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import { localDataDir } from "../local/config.ts";
import { siteUrlVariable } from "../local/local-env.ts";
import { seededRandom, type TrafficRequest, trafficMix } from "./traffic-mix.ts";

export interface ReplayResult {
  requests: number;
  /** Responses by status, and by the edge's X-Cache result. */
  statuses: Record<string, number>;
  cache: Record<string, number>;
  failures: number;
  /** Why the first unanswered request failed. */
  firstFailure?: string;
}

/** Sends `count` requests of the mix, `concurrency` at a time, reporting progress after each. */
export async function replayTraffic(options: {
  baseUrl: string;
  count: number;
  concurrency: number;
  next: () => TrafficRequest;
  progress?: (done: number, total: number) => void;
}): Promise<ReplayResult> {
  const result: ReplayResult = { requests: 0, statuses: {}, cache: {}, failures: 0 };
  const worker = async () => {
    while (result.requests < options.count) {
      result.requests += 1;
      const request = options.next();
      try {
        const response = await fetch(`${options.baseUrl}${request.path}`, {
          method: request.method,
          ...(request.body === undefined
            ? {}
            : {
                body: request.body,
                // The function URL behind /api/* takes a body only with its SHA-256 (OAC signing needs it).
                headers: {
                  "content-type": "application/json",
                  "x-amz-content-sha256": createHash("sha256").update(request.body).digest("hex"),
                },
              }),
        });
        await response.arrayBuffer();
        result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
        const cache = response.headers.get("x-cache")?.replace(" from cloudfront", "") ?? "none";
        result.cache[cache] = (result.cache[cache] ?? 0) + 1;
      } catch (error) {
        // A refused or cut connection is a finding of the replay, counted and shown, not a crash.
        result.failures += 1;
        result.firstFailure ??=
          error instanceof Error ? `${error.message} (${String(error.cause)})` : String(error);
      }
      options.progress?.(result.requests, options.count);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return result;
}

/** A terminal progress bar, redrawn in place. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done}/${total}`;
}

async function edgeUrl(given: string | undefined): Promise<string> {
  if (given) return given;
  const envFile = join(localDataDir, "local.env");
  if (!existsSync(envFile)) return "http://localhost:8080";
  const line = (await readFile(envFile, "utf8"))
    .split("\n")
    .find((entry) => entry.startsWith(`${siteUrlVariable}=`));
  return line?.slice(siteUrlVariable.length + 1).trim() ?? "http://localhost:8080";
}

/** The built site's hashed assets, for the `/_astro/*` share of the mix. */
async function assetPaths(siteFolder: string): Promise<string[]> {
  const folder = join(siteFolder, "_astro");
  if (!existsSync(folder)) return [];
  return (await readdir(folder)).map(
    (file) => `/${relative(siteFolder, join(folder, file)).split(sep).join("/")}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      requests: { type: "string", default: "3000" },
      concurrency: { type: "string", default: "16" },
      seed: { type: "string", default: "17" },
    },
  });
  const number = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} takes a whole number ≥ 1, not ${text}`);
    return value;
  };
  const baseUrl = (await edgeUrl(values.url)).replace(/\/+$/, "");
  const count = number("requests", values.requests);
  const siteFolder = process.env.GOODGREETS_SITE_DIR ?? join(import.meta.dirname, "../../dist/site");
  const next = trafficMix(seededRandom(number("seed", values.seed)), await assetPaths(siteFolder));
  console.log(`traffic: ${count} requests against ${baseUrl}`);
  const result = await replayTraffic({
    baseUrl,
    count,
    concurrency: number("concurrency", values.concurrency),
    next,
    progress: (done, total) => {
      if (done % 25 === 0 || done === total) process.stdout.write(`\r${progressBar(done, total)}`);
    },
  });
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([name, value]) => `${name} ${value}`)
      .join(", ");
  console.log(`\nstatuses: ${list(result.statuses)}\nX-Cache: ${list(result.cache)}`);
  if (result.failures > 0)
    console.log(
      `${result.failures} requests got no answer, first: ${result.firstFailure} (is npm start running?)`,
    );
  console.log("Now: npm run metrics");
  if (result.failures === result.requests) process.exit(1);
}

if (import.meta.main) await main();
