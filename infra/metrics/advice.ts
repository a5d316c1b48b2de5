// What to fix, in words: rules over the figures that name the behaviour, path or parameter at fault.
import type { EdgeMetrics } from "./edge-metrics.ts";

/** Below this many requests a ratio says little; no advice is given on it. */
const minimumRequests = 50;
const goodHitRatio = 0.8;
const fragmentedVariants = 10;
const serverErrorRatio = 0.01;
const slowMissSeconds = 1;

const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
const count = (value: number) => value.toLocaleString("en-US");

/** Query parameters that size an image, and ones that only track the visitor. */
const sizing = /^(w|width|h|height|size|q|quality|dpr)$/i;
const tracking = /^(utm_.*|fbclid|gclid|msclkid|ref|_ga)$/i;

function parameterAdvice(name: string): string {
  if (sizing.test(name))
    return `snap \`${name}\` to a few steps (e.g. 320/640/1280) in the pages and the image function`;
  if (tracking.test(name)) return `leave \`${name}\` out of the cache key: it only tracks visitors`;
  return `leave \`${name}\` out of the cache policy's query strings if the origin's answer does not depend on it`;
}

export function adviceFor(metrics: EdgeMetrics): string[] {
  const advice: string[] = [];
  const { input } = metrics;
  if (input.malformedLines > 0) {
    const [example] = input.malformedExamples;
    const where = example?.file ? ` (first: ${example.file}:${example.line}, ${example.reason})` : "";
    advice.push(
      `${count(input.malformedLines)} of ${count(input.lines)} log lines are malformed and were skipped${where}: check the writer or the file's #Fields header.`,
    );
  }

  // One line per behaviour: its worst path, and how many of the listed paths miss the same way.
  const fragmented = metrics.fragmentation.filter((path) => path.missedQueryStrings >= fragmentedVariants);
  for (const behaviour of new Set(fragmented.map((path) => path.behaviour))) {
    const paths = fragmented.filter((path) => path.behaviour === behaviour);
    const [worst] = paths;
    if (!worst) continue;
    const more = paths.length > 1 ? ` and ${paths.length - 1} more paths like it` : "";
    const varying = worst.parameters
      .slice(0, 2)
      .map((parameter) => `\`${parameter.name}\` takes ${count(parameter.values)} values`);
    const [first] = worst.parameters;
    const fix = first ? `: ${varying.join(", ")} — ${parameterAdvice(first.name)}` : "";
    advice.push(
      `\`${behaviour}\` misses on ${count(worst.missedQueryStrings)} query-string variants of one path (${worst.uri})${more}${fix}.`,
    );
  }

  for (const behaviour of metrics.byBehaviour) {
    const cacheable = behaviour.hits + behaviour.misses;
    if (cacheable < minimumRequests || behaviour.hitRatio === null) continue;
    if (behaviour.hits === 0)
      advice.push(
        `\`${behaviour.behaviour}\` never hits (${count(behaviour.misses)} misses): right for a CachingDisabled API; otherwise its cache policy or the origin's Cache-Control keeps everything out of the cache.`,
      );
    else if (behaviour.hitRatio < goodHitRatio)
      advice.push(
        `\`${behaviour.behaviour}\` hits only ${percent(behaviour.hitRatio)} of ${count(cacheable)} cacheable requests: raise its TTLs (Cache-Control max-age/s-maxage) or narrow its cache key.`,
      );
  }

  if (metrics.errors.serverRatio !== null && metrics.errors.serverRatio > serverErrorRatio) {
    const causes = metrics.errors.detailed
      .map((entry) => `${entry.type} ${count(entry.requests)}`)
      .join(", ");
    advice.push(
      `${percent(metrics.errors.serverRatio)} of requests end in 5xx${causes ? ` (${causes})` : ""}: look at the origin named by the worst behaviour; stale-if-error can hide short outages.`,
    );
  }

  const { hit, miss } = metrics.latency;
  if (miss.p99 !== null && miss.p99 > slowMissSeconds)
    advice.push(
      `Misses take ${miss.p99.toFixed(2)} s at p99${hit.p99 !== null ? ` (hits ${hit.p99.toFixed(3)} s)` : ""}: the origin is slow; longer TTLs or stale-while-revalidate keep viewers off it.`,
    );

  const throttled = metrics.resultTypes.limitExceeded + metrics.resultTypes.capacityExceeded;
  if (throttled > 0)
    advice.push(
      `${count(throttled)} requests were refused by CloudFront limits (LimitExceeded/CapacityExceeded): ask AWS for a quota increase or spread the load.`,
    );

  if (!metrics.window.complete)
    advice.push(
      `Requests after ${metrics.window.settledBefore} are provisional: CloudFront can deliver log lines up to 24 h late.`,
    );
  return advice;
}
