// The review as text for a terminal: the figures in aligned tables, then what to fix.
import type { EdgeMetrics, HitCounts } from "./edge-metrics.ts";

const count = (value: number) => value.toLocaleString("en-US");
const percent = (ratio: number | null) => (ratio === null ? "–" : `${(ratio * 100).toFixed(1)}%`);
const seconds = (value: number | null) => (value === null ? "–" : `${value.toFixed(3)} s`);
const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map(
      (row) =>
        `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ")}`,
    )
    .join("\n");
}

const hitRows = (label: string, entries: (HitCounts & { name: string })[]) => [
  [label, "requests", "hits", "misses", "hit ratio"],
  ...entries.map((entry) => [
    entry.name,
    count(entry.requests),
    count(entry.hits),
    count(entry.misses),
    percent(entry.hitRatio),
  ]),
];

export function textReport(metrics: EdgeMetrics): string {
  const { window, input, resultTypes: types, latency, errors, bytes } = metrics;
  const sections = [
    `Edge metrics: ${count(metrics.requests)} requests from ${count(input.files)} files, ${window.firstRequest ?? "–"} to ${window.lastRequest ?? "–"}`,
    `  ${window.complete ? "Complete: every line is past CloudFront's 24 h delivery delay." : `Provisional: requests after ${window.settledBefore} may still arrive (CloudFront delivers up to 24 h late).`}`,
    `  Lines read ${count(input.lines)}, malformed ${count(input.malformedLines)}`,
    "",
    `Hit ratio ${percent(metrics.hitRatio)} (Hit ${count(types.hit)} + RefreshHit ${count(types.refreshHit)} of those and Miss ${count(types.miss)})`,
    `  Apart: Error ${count(types.error)}, Redirect ${count(types.redirect)}, LimitExceeded ${count(types.limitExceeded)}, CapacityExceeded ${count(types.capacityExceeded)}, other ${count(types.other)}`,
    `  Bytes ${mebibytes(bytes.total)}: from cache ${mebibytes(bytes.fromCache)}, from origin ${mebibytes(bytes.fromOrigin)} (offload ${percent(bytes.offloadRatio)})`,
    `  Errors: 5xx ${count(errors.server)} (${percent(errors.serverRatio)}), 4xx ${count(errors.client)} (${percent(errors.clientRatio)})${errors.detailed.length ? `; ${errors.detailed.map((entry) => `${entry.type} ${count(entry.requests)}`).join(", ")}` : ""}`,
    "",
    "Time taken",
    table([
      ["", "requests", "p50", "p90", "p99"],
      ...(["hit", "miss"] as const).map((name) => [
        name,
        count(latency[name].requests),
        seconds(latency[name].p50),
        seconds(latency[name].p90),
        seconds(latency[name].p99),
      ]),
    ]),
    "",
    "By behaviour",
    table(
      hitRows(
        "behaviour",
        metrics.byBehaviour.map((entry) => ({ ...entry, name: entry.behaviour })),
      ),
    ),
    "",
    "By content type",
    table(
      hitRows(
        "content type",
        metrics.byContentType.map((entry) => ({ ...entry, name: entry.contentType })),
      ),
    ),
    "",
    `Over time (per ${window.bucket})`,
    table(
      hitRows(
        `${window.bucket} starting`,
        metrics.overTime.map((entry) => ({ ...entry, name: `${entry.start}${entry.settled ? "" : " *"}` })),
      ),
    ),
    ...(metrics.overTime.some((entry) => !entry.settled) ? ["  * may still grow: within 24 h of now"] : []),
    "",
    `Statuses: ${metrics.statuses.map((entry) => `${entry.status} ${count(entry.requests)}`).join(", ") || "–"}`,
    "",
    "Top missed URIs",
    table([
      ["uri", "behaviour", "misses"],
      ...metrics.topMisses.map((entry) => [entry.uri, entry.behaviour, count(entry.misses)]),
    ]),
    "",
    "Cache-key fragmentation (query strings per path)",
    table([
      ["uri", "requests", "query strings", "missed", "varying parameters"],
      ...metrics.fragmentation.map((entry) => [
        entry.uri,
        count(entry.requests),
        count(entry.queryStrings),
        count(entry.missedQueryStrings),
        entry.parameters.map((parameter) => `${parameter.name}×${parameter.values}`).join(" ") || "–",
      ]),
    ]),
    "",
    "What to fix",
    ...(metrics.advice.length
      ? metrics.advice.map((line) => `  - ${line}`)
      : ["  Nothing: the figures are within bounds."]),
  ];
  return `${sections.join("\n")}\n`;
}
