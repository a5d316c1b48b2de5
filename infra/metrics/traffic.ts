// `npm run traffic -- [--url U] [--requests N] [--concurrency C] [--seed S] [--wait-for-delivery SECONDS]`:
// makes a few cards and waits for the due ones' delivery, then replays the traffic mix against the local
// edge (data/local.env's URL by default) with a progress bar, so `npm run metrics` has logs to review.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import type { CreatedCard, OrganiserView, TimeView } from "../../origin/cards/views.ts";
import { designs } from "../../site/catalog/designs.ts";
import { callApi, sha256Hex } from "../../site/lib/api-client.ts";
import { localDataDir } from "../local/config.ts";
import { siteUrlVariable } from "../local/local-env.ts";
import {
  newCardBody,
  type SeededCard,
  seededRandom,
  type TrafficRequest,
  trafficMix,
  utcWallTime,
} from "./traffic-mix.ts";

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
        const headers: Record<string, string> = { ...request.headers };
        if (request.body !== undefined) {
          // The function URL behind /api/* takes a body only with its SHA-256 (OAC signing needs it).
          headers["content-type"] = "application/json";
          headers["x-amz-content-sha256"] = await sha256Hex(new TextEncoder().encode(request.body));
        }
        const response = await fetch(`${options.baseUrl}${request.path}`, {
          method: request.method,
          headers,
          ...(request.body === undefined ? {} : { body: request.body }),
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

/**
 * Makes the cards the replay opens and signs, through the cards API as the pages call it: `deliver` due
 * at the next minute but one, then waits (up to `waitMs`) for the stack's scheduler to deliver them, so
 * their opens are a recipient's, kept at the edge; `open` due tomorrow, so they stay open for signing.
 * `deliverAt` is tomorrow by the API's clock, for the cards the mix makes.
 */
export async function seedCards(options: {
  baseUrl: string;
  deliver: number;
  open: number;
  waitMs: number;
  progress?: (message: string) => void;
}): Promise<{ cards: SeededCard[]; deliverAt: string }> {
  const api = <Result>(path: string, init: Parameters<typeof callApi>[1] = {}) =>
    callApi<Result>(path, {
      ...init,
      fetch: (input, request) => fetch(`${options.baseUrl}${input}`, request),
    });
  const now = Date.parse((await api<TimeView>("/api/time")).now);
  const minute = 60_000;
  // deliverAt has minute precision and must be after the API's now: the minute after next.
  const soon = utcWallTime(new Date((Math.floor(now / minute) + 2) * minute));
  const tomorrow = utcWallTime(new Date(now + 24 * 60 * minute));
  const make = async (deliverAt: string, index: number): Promise<SeededCard> => {
    const design = designs[index % designs.length]?.slug ?? "";
    const created = await api<CreatedCard>("/api/cards", {
      body: JSON.parse(newCardBody(design, deliverAt)),
    });
    const signId = created.links.sign.split("/").pop() ?? "";
    return { cardId: created.card.id, signId, organiserSecret: created.organiserSecret, delivered: false };
  };
  const due = await Promise.all(Array.from({ length: options.deliver }, (_, index) => make(soon, index)));
  const open = await Promise.all(Array.from({ length: options.open }, (_, index) => make(tomorrow, index)));
  if (due.length > 0)
    options.progress?.(`${due.length} cards due at ${soon} UTC: waiting for their delivery`);
  const deadline = Date.now() + options.waitMs;
  while (due.some((card) => !card.delivered) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const card of due.filter((entry) => !entry.delivered)) {
      const view = await api<OrganiserView>(`/api/cards/${card.cardId}/organiser`, {
        headers: { "x-organiser-secret": card.organiserSecret },
      });
      card.delivered = view.card.status === "sent";
    }
  }
  const undelivered = due.filter((card) => !card.delivered).length;
  if (undelivered > 0)
    options.progress?.(`${undelivered} cards not delivered in time: their opens are organiser previews`);
  return { cards: [...due, ...open], deliverAt: tomorrow };
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
      "wait-for-delivery": { type: "string", default: "150" },
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
  const { cards, deliverAt } = await seedCards({
    baseUrl,
    deliver: 6,
    open: 4,
    waitMs: number("wait-for-delivery", values["wait-for-delivery"]) * 1000,
    progress: (message) => console.log(`traffic: ${message}`),
  });
  const next = trafficMix(seededRandom(number("seed", values.seed)), {
    assetPaths: await assetPaths(siteFolder),
    cards,
    deliverAt,
  });
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
