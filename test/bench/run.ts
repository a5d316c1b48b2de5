// `npm run bench`: measures the local edge — miss and hit latency and the memory the cache takes per
// object on a bench origin, then hit throughput and latency of the whole local stack side by side with
// nginx serving the same built site: same load client, same concurrency, same URL mix, same run.
// Nothing here asserts; the numbers are for reading. Options: --duration <s> (each server's share, run in
// three slices taking turns with the other), --connections <n>. Parts named after `--` run alone:
// `npm run bench -- images` (parts: edge, metrics, images, delivery, cards, lighthouse).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { distribution } from "../../edge/distribution.ts";
import { buildEdge } from "../../infra/build/edge.ts";
import { startLocalEdge } from "../../infra/local/edge/server.ts";
import { startTempStack } from "../local/temp-stack.ts";
import { catalogPaths } from "./catalog-paths.ts";
import { type LoadResult, runLoad } from "./load-client.ts";
import { ensureNginx, startNginx } from "./nginx.ts";
import { benchSite } from "./site-build.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
const artFolder = join(repositoryRoot, "site/catalog/art");
/** The issue's aim: the local edge serves at least a quarter of nginx's requests/s. */
const aimRatio = 0.25;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "12" },
    connections: { type: "string", default: "50" },
  },
});
const bounded = (name: string, text: string, max: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`--${name} takes a whole number from 1 to ${max}, not ${text}`);
    process.exit(2);
  }
  return value;
};
/** The parts after the edge's own, each in its file (each also runs alone with node). */
const laterParts = {
  metrics: async () => (await import("./metrics.ts")).benchMetrics(),
  images: async () => (await import("./images.ts")).benchImages(),
  delivery: async () => (await import("./delivery.ts")).benchDelivery(),
  cards: async () => (await import("./cards.ts")).benchCards(),
  lighthouse: async () => (await import("./lighthouse.ts")).benchLighthouse(),
};
const unknownPart = positionals.find((part) => part !== "edge" && !(part in laterParts));
if (unknownPart) {
  console.error(`no bench part ${unknownPart}; the parts are edge, ${Object.keys(laterParts).join(", ")}`);
  process.exit(2);
}
const runs = (part: string) => positionals.length === 0 || positionals.includes(part);
if (!runs("edge")) {
  for (const [part, bench] of Object.entries(laterParts)) if (runs(part)) await bench();
  process.exit(0);
}
const durationSeconds = bounded("duration", values.duration, 300);
const connections = bounded("connections", values.connections, 1000);
const step = (message: string) => console.log(`  · ${message}`);
const temporary: string[] = [];

console.log(`GoodGreets bench (Node ${process.version})`);

// ── The built site: npm start's build when there is one, else a fresh build in a temporary folder.
const startBuild = join(repositoryRoot, "dist/site");
const site = await benchSite(
  "edge",
  step,
  existsSync(join(startBuild, "index.html")) ? startBuild : undefined,
);
if (site.fresh) temporary.push(site.folder);
const siteFolder = site.folder;
const paths = await catalogPaths(siteFolder);
const nginxBinary = await ensureNginx(step);

// ── The edge alone on a bench origin: one page per path, so every miss and every object is new.
const page = `<!doctype html><title>card</title>${"<p>Happy birthday from all of us!</p>".repeat(200)}`;
const origin = createServer((_request, response) => {
  response.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "public, max-age=0, s-maxage=300",
  });
  response.end(page);
});
await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
const endpoint = { url: originUrl };
// The product's own declaration, functions included, with every origin pointed at the bench origin.
// The edge runs built functions (infra/build/edge.ts), as in the stack.
const edgeBuildFolder = await mkdtemp(join(tmpdir(), "goodgreets-bench-edge-"));
temporary.push(edgeBuildFolder);
const built = await buildEdge({ distribution, repositoryRoot, siteFolder, outDir: edgeBuildFolder });
const benchEdge = await startLocalEdge({
  distribution: built.distribution,
  origins: { site: endpoint, images: endpoint, api: endpoint },
  repositoryRoot,
  log: () => {},
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
async function timed(path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${benchEdge.url}${path}`);
  await response.arrayBuffer();
  return performance.now() - started;
}
function report(label: string, samples: number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} n=${String(samples.length).padStart(5)}  p50=${percentile(sorted, 50).toFixed(2)} ms  p99=${percentile(sorted, 99).toFixed(2)} ms`,
  );
}

console.log(`\nlocal edge on a bench origin (page ${page.length} bytes, one request at a time)`);
const misses: number[] = [];
for (let index = 0; index < 300; index += 1) misses.push(await timed(`/designs/bench-${index}/`));
report("miss (function + origin + store)", misses);
const hits: number[] = [];
for (let index = 0; index < 2000; index += 1) hits.push(await timed(`/designs/bench-${index % 300}/`));
report("hit (function + cache)", hits);

/**
 * Live memory after full collections, finalisers given their turn; cached bodies are Buffers, so outside
 * the JS heap. (npm run bench passes --no-flush-bytecode: V8 otherwise drops the bytecode of start-up
 * code during these collections, a few MiB that would pass for negative memory per object.)
 */
async function liveBytes(): Promise<number> {
  for (let round = 0; round < 3; round += 1) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
const newObjects = 2000;
const objectsBefore = benchEdge.cache.size;
const before = await liveBytes();
for (let index = 0; index < newObjects; index += 1) await timed(`/designs/memory-${index}/`);
const after = await liveBytes();
console.log(
  `${"cache memory".padEnd(34)} ${benchEdge.cache.size - objectsBefore} new objects (${benchEdge.cache.size} in all, ` +
    `${(benchEdge.cache.bytes / 1024 / 1024).toFixed(1)} MiB of bodies): ` +
    `${((after - before) / 1024 / newObjects).toFixed(1)} KiB more live memory per new object` +
    (globalThis.gc ? "" : " (run with --expose-gc for a steady figure)"),
);
await benchEdge.close();
await new Promise<void>((resolve) => origin.close(() => resolve()));

// ── nginx and the local stack under the same load, in alternating slices, so a neighbour's burst of CPU
// on this shared machine falls on both rather than on whichever happened to run then.
/**
 * Every path once, as the load client asks (no compression), so the measured run sees only hits. A 5xx
 * is tried again (up to 5 times) and reported: a busy machine may fail a request the bench should still
 * measure around.
 */
async function warm(label: string, url: string): Promise<void> {
  for (const path of paths) {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${url}${path}`, {
        headers: { "accept-encoding": "identity" },
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) break;
      if (response.status < 500 || attempt === 5)
        throw new Error(`${label}: ${path} answered ${response.status}, not 200`);
      step(`${label}: ${path} answered ${response.status} while warming up; trying again`);
    }
  }
  // The edge says whether the warm-up left the URL mix in its cache; nginx has no such header.
  const check = await fetch(`${url}${paths[0]}`, { headers: { "accept-encoding": "identity" } });
  await check.arrayBuffer();
  const cacheState = check.headers.get("x-cache");
  if (cacheState) step(`${label}: ${paths[0]} after warming: x-cache ${cacheState}`);
  step(`${label}: warming up under load for 2 s`);
  await runLoad({ url, paths, connections, durationSeconds: 2 }, () => {});
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}
const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
/** Requests over time across the slices; the latency percentiles are the slices' medians. */
function combine(label: string, slices: LoadResult[]): Figures {
  const requests = slices.reduce((sum, slice) => sum + slice.requests, 0);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  const answered200 = slices.reduce((sum, slice) => sum + (slice.statuses["200"] ?? 0), 0);
  const errors = slices.reduce((sum, slice) => sum + slice.errors, 0);
  // A connection cut as a slice stops may count as an error; more than one in a thousand is a finding.
  const failed = errors + requests - answered200;
  if (failed > requests / 1000)
    console.log(`  ! ${label}: ${failed} requests were not answered 200, so its figures are suspect`);
  return {
    requestsPerSecond: requests / seconds,
    p50Ms: median(slices.map((slice) => slice.p50Ms)),
    p99Ms: median(slices.map((slice) => slice.p99Ms)),
  };
}

const slices = 3;
const sliceSeconds = Math.max(1, Math.round(durationSeconds / slices));
console.log(
  `\nhit throughput: ${paths.length} catalog paths (every page, asset and picture) in a loop, ` +
    `${connections} connections, autocannon in its own process; ${slices} slices of ${sliceSeconds} s each, ` +
    "nginx and the local edge taking turns",
);
step("starting the local stack");
const tempStack = await startTempStack("bench-stack", siteFolder, {
  progress: (message) => step(`stack: ${message}`),
});
const { stack } = tempStack;
const measured = { nginx: [] as LoadResult[], "local edge": [] as LoadResult[] };
try {
  const nginx = await startNginx(nginxBinary, { siteFolder, artFolder });
  step(`nginx ${nginx.version} on ${nginx.url} (one worker process, as the edge is one Node process)`);
  try {
    const servers = [
      ["nginx", nginx.url],
      ["local edge", stack.edge.url],
    ] as const;
    for (const [label, url] of servers) await warm(label, url);
    for (let slice = 1; slice <= slices; slice += 1) {
      for (const [label, url] of servers) {
        const result = await runLoad({ url, paths, connections, durationSeconds: sliceSeconds }, () => {});
        measured[label].push(result);
        const statuses = Object.entries(result.statuses).map(([status, count]) => `${status} × ${count}`);
        step(
          `${label}, slice ${slice}/${slices}: ${result.requestsPerSecond.toFixed(0)} requests/s, ` +
            `p99 ${result.p99Ms.toFixed(1)} ms (${statuses.join(", ") || "no answers"}` +
            `${result.errors ? `, ${result.errors} errors` : ""})`,
        );
      }
    }
  } finally {
    await nginx.close();
  }
} finally {
  await tempStack.close();
  for (const folder of temporary) await rm(folder, { recursive: true, force: true });
}
const nginxResult = combine("nginx", measured.nginx);
const edgeResult = combine("local edge", measured["local edge"]);

const row = (label: string, result: Figures) =>
  `${label.padEnd(12)} ${result.requestsPerSecond.toFixed(0).padStart(8)} ${result.p50Ms.toFixed(1).padStart(8)} ${result.p99Ms.toFixed(1).padStart(8)}`;
const ratio = edgeResult.requestsPerSecond / nginxResult.requestsPerSecond;
console.log(`
${"".padEnd(12)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}
${row("nginx", nginxResult)}
${row("local edge", edgeResult)}
local edge / nginx: ${(ratio * 100).toFixed(1)}% of nginx's requests/s; the aim is at least ${aimRatio * 100}% — ${ratio >= aimRatio ? "met" : "not met"}`);

for (const [part, bench] of Object.entries(laterParts)) if (runs(part)) await bench();
