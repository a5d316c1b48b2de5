// `npm run metrics -- [--json] [--since T] [--until T] [--html FILE | --no-html] [--cache DIR | --no-cache]
// [logs…]` (started by cli.ts): the edge metrics review of CloudFront access logs (files or folders; the
// local edge's data/edge-logs when none are named), each file converted once into the columnar cache
// (data/metrics-cache).
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { distribution } from "../../edge/distribution.ts";
import { localDataDir } from "../local/config.ts";
import { htmlReport } from "./html-report.ts";
import { latestReportPath } from "./report-server.ts";
import { reviewEdgeLogs } from "./review.ts";
import { textReport } from "./text-report.ts";

function time(option: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`--${option} must be an ISO 8601 time, got "${value}"`);
  return at;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      since: { type: "string" },
      until: { type: "string" },
      html: { type: "string", default: latestReportPath },
      "no-html": { type: "boolean", default: false },
      cache: { type: "string", default: join(localDataDir, "metrics-cache") },
      "no-cache": { type: "boolean", default: false },
    },
  });
  const localLogs = join(localDataDir, "edge-logs");
  if (positionals.length === 0 && !existsSync(localLogs))
    throw new Error(
      `no local edge logs yet at ${localLogs}: npm start, then npm run traffic (or name log files)`,
    );
  const metrics = await reviewEdgeLogs({
    paths: positionals.length > 0 ? positionals : [localLogs],
    behaviours: distribution.behaviours,
    now: new Date(),
    since: time("since", values.since),
    until: time("until", values.until),
    cache: values["no-cache"] ? undefined : values.cache,
    // On stderr, so --json's stdout stays one document.
    onCache: ({ folder, reused, converted, pruned }) =>
      console.error(
        folder
          ? `metrics: cache ${folder}: ${reused} file(s) read from it, ${converted} converted into it` +
              (pruned > 0 ? `, ${pruned} entry(ies) of deleted files removed` : "")
          : `metrics: no cache: ${converted} file(s) converted for this review only`,
      ),
  });
  if (!values["no-html"]) {
    await mkdir(dirname(values.html), { recursive: true });
    await writeFile(values.html, await htmlReport(metrics));
  }
  if (values.json) process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
  else {
    process.stdout.write(textReport(metrics));
    if (!values["no-html"]) process.stdout.write(`\nHTML report: ${values.html}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(`metrics: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
