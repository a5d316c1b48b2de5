// The review as one self-contained HTML page: figures, advice and charts over time drawn by uPlot, whose
// script and styles are inlined at generation time so the page reads offline with no network.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { EdgeMetrics } from "./edge-metrics.ts";

const require = createRequire(import.meta.url);

async function uPlotSources(): Promise<{ script: string; styles: string }> {
  const script = await readFile(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const styles = await readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  return { script, styles };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
/** JSON inside a script element: `<` escaped so no `</script>` in a URI can end the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");
const percent = (ratio: number | null) => (ratio === null ? "–" : `${(ratio * 100).toFixed(1)}%`);
const count = (value: number) => value.toLocaleString("en-US");

function table(head: string[], rows: (string | number)[][]): string {
  const cells = (row: (string | number)[], tag: string) =>
    `<tr>${row.map((cell) => `<${tag}>${escapeHtml(typeof cell === "number" ? count(cell) : cell)}</${tag}>`).join("")}</tr>`;
  return `<table>${cells(head, "th")}${rows.map((row) => cells(row, "td")).join("")}</table>`;
}

/** Draws the four charts from the embedded figures; runs in the page. */
const drawCharts = `
const metrics = JSON.parse(document.getElementById("metrics").textContent);
const x = metrics.overTime.map((bucket) => Date.parse(bucket.start) / 1000);
const charts = [
  ["requests", "Requests", [["requests", "#456"], ["hits", "#2a7"], ["misses", "#c52"]]],
  ["hit-ratio", "Hit ratio", [["hitRatio", "#2a7"]]],
  ["p99", "p99 time taken (s)", [["p99", "#84c"]]],
  ["errors", "5xx errors", [["serverErrors", "#c22"]]],
];
for (const [id, title, series] of charts) {
  const element = document.getElementById(id);
  const data = [x, ...series.map(([field]) => metrics.overTime.map((bucket) => bucket[field]))];
  new uPlot({
    title, width: Math.min(element.clientWidth || 560, 560), height: 220,
    series: [{}, ...series.map(([field, stroke]) => ({ label: field, stroke, width: 2, spanGaps: true }))],
    scales: { x: { time: true } },
  }, data, element);
}
document.body.dataset.charts = String(document.querySelectorAll(".uplot canvas").length);
`;

export async function htmlReport(metrics: EdgeMetrics): Promise<string> {
  const { script, styles } = await uPlotSources();
  const { window, input } = metrics;
  const unsettled = metrics.overTime.filter((bucket) => !bucket.settled).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Edge metrics</title>
<style>${styles}
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.4rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}.figures{display:flex;gap:2rem;flex-wrap:wrap}
.figure b{display:block;font-size:1.6rem}.advice li{margin:.3rem 0}</style>
<script>${script}</script></head>
<body>
<h1>Edge metrics</h1>
<p>${count(metrics.requests)} requests from ${count(input.files)} log files, ${escapeHtml(window.firstRequest ?? "–")} to ${escapeHtml(window.lastRequest ?? "–")}.
${window.complete ? "Complete: every line is past CloudFront's 24 h delivery delay." : `Provisional: requests after ${escapeHtml(window.settledBefore)} may still arrive (CloudFront delivers up to 24 h late); ${unsettled} of ${metrics.overTime.length} ${window.bucket}s can still grow.`}
${count(input.malformedLines)} of ${count(input.lines)} lines malformed.</p>
<div class="figures">
<div class="figure"><b>${percent(metrics.hitRatio)}</b>hit ratio</div>
<div class="figure"><b>${percent(metrics.bytes.offloadRatio)}</b>bytes from cache</div>
<div class="figure"><b>${percent(metrics.errors.serverRatio)}</b>5xx</div>
<div class="figure"><b>${metrics.latency.miss.p99?.toFixed(3) ?? "–"} s</b>miss p99</div>
<div class="figure"><b>${metrics.latency.hit.p99?.toFixed(3) ?? "–"} s</b>hit p99</div>
</div>
<h2>What to fix</h2>
<ul class="advice">${metrics.advice.map((line) => `<li>${escapeHtml(line)}</li>`).join("") || "<li>Nothing: the figures are within bounds.</li>"}</ul>
<h2>Over time (per ${window.bucket})</h2>
<div class="charts"><div id="requests"></div><div id="hit-ratio"></div><div id="p99"></div><div id="errors"></div></div>
<h2>By behaviour</h2>
${table(
  ["behaviour", "requests", "hits", "misses", "hit ratio"],
  metrics.byBehaviour.map((entry) => [
    entry.behaviour,
    entry.requests,
    entry.hits,
    entry.misses,
    percent(entry.hitRatio),
  ]),
)}
<h2>By content type</h2>
${table(
  ["content type", "requests", "hits", "misses", "hit ratio"],
  metrics.byContentType.map((entry) => [
    entry.contentType,
    entry.requests,
    entry.hits,
    entry.misses,
    percent(entry.hitRatio),
  ]),
)}
<h2>Top missed URIs</h2>
${table(
  ["uri", "behaviour", "misses"],
  metrics.topMisses.map((entry) => [entry.uri, entry.behaviour, entry.misses]),
)}
<h2>Cache-key fragmentation</h2>
${table(
  ["uri", "requests", "query strings", "missed", "varying parameters"],
  metrics.fragmentation.map((entry) => [
    entry.uri,
    entry.requests,
    entry.queryStrings,
    entry.missedQueryStrings,
    entry.parameters.map((parameter) => `${parameter.name}×${parameter.values}`).join(" "),
  ]),
)}
<h2>Statuses and result types</h2>
${table(
  ["status", "requests"],
  metrics.statuses.map((entry) => [String(entry.status), entry.requests]),
)}
${table(
  ["result type", "requests"],
  Object.entries(metrics.resultTypes).map(([name, requests]) => [name, requests]),
)}
<script type="application/json" id="metrics">${scriptJson(metrics)}</script>
<script>${drawCharts}</script>
</body></html>
`;
}
