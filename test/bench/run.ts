// `npm run bench`: measures the local edge — hit and miss latency, hit throughput, and the memory the
// cache takes per object — and prints the figures. Nothing here asserts; the numbers are for reading.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { distribution } from "../../edge/distribution.ts";
import { startLocalEdge } from "../../infra/local/edge/server.ts";

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
const endpoint = { url: originUrl, connectionTimeoutSeconds: 10, readTimeoutSeconds: 30 };

// The product's own declaration, functions included, with every origin pointed at the bench origin.
const edge = await startLocalEdge({
  distribution,
  origins: { site: endpoint, images: endpoint, api: endpoint },
  repositoryRoot: new URL("../..", import.meta.url).pathname,
  log: () => {},
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
async function timed(path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${edge.url}${path}`);
  await response.arrayBuffer();
  return performance.now() - started;
}
function report(label: string, samples: number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} n=${String(samples.length).padStart(5)}  p50=${percentile(sorted, 50).toFixed(2)} ms  p99=${percentile(sorted, 99).toFixed(2)} ms`,
  );
}

console.log(`local edge bench (Node ${process.version}, page ${page.length} bytes)`);
const misses: number[] = [];
for (let index = 0; index < 300; index += 1) misses.push(await timed(`/designs/bench-${index}/`));
report("miss (function + origin + store)", misses);

const hits: number[] = [];
for (let index = 0; index < 2000; index += 1) hits.push(await timed(`/designs/bench-${index % 300}/`));
report("hit (function + cache)", hits);

const concurrency = 32;
const total = 4000;
let sent = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < total) {
      sent += 1;
      await (await fetch(`${edge.url}/designs/bench-${sent % 300}/`)).arrayBuffer();
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(
  `${"hit throughput".padEnd(34)} ${(total / seconds).toFixed(0)} requests/s at concurrency ${concurrency}`,
);

globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
for (let index = 0; index < 2000; index += 1) await timed(`/designs/memory-${index}/`);
globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
console.log(
  `${"cache memory".padEnd(34)} ${edge.cache.size} objects, ${(edge.cache.bytes / 1024 / 1024).toFixed(1)} MiB stored, ` +
    `heap +${((after - before) / 1024 / 2000).toFixed(1)} KiB per new object`,
);

await edge.close();
origin.close();
