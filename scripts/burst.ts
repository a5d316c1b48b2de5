// `npm run burst`: a browser-like burst against a running `npm start` — every catalog page and picture,
// 50 at once, several rounds. Prints the count of each status; exits 1 on any 5xx or lost request.
// Options: --url <edge>, --rounds <n>, --concurrency <n>. The edge URL otherwise comes from
// data/local.env (written by `npm start`), else http://localhost:8080.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localDataDir } from "../infra/local/config.ts";
import { siteUrlVariable } from "../infra/local/local-env.ts";
import { burstPassed, formatStatuses, runBurst } from "../test/bench/burst.ts";
import { catalogPaths } from "../test/bench/catalog-paths.ts";

const repositoryRoot = join(import.meta.dirname, "..");

/** One variable of data/local.env, which local-env.ts writes as bare `NAME=value` lines. */
function envFileValue(text: string, name: string): string | undefined {
  const prefix = `${name}=`;
  return text
    .split("\n")
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

async function edgeUrlFromLocalEnv(): Promise<string | undefined> {
  const file = join(localDataDir, "local.env");
  try {
    return envFileValue(await readFile(file, "utf8"), siteUrlVariable);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    rounds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "50" },
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    console.error(`--${name} takes a whole number from 1 to 10000, not ${text}`);
    process.exit(2);
  }
  return value;
};
const rounds = positive("rounds", values.rounds);
const concurrency = positive("concurrency", values.concurrency);
const baseUrl = (values.url ?? (await edgeUrlFromLocalEnv()) ?? "http://localhost:8080").replace(/\/+$/, "");

// The site npm start published, for its asset paths; the catalog data alone when it is not built here.
const siteFolder = process.env.GOODGREETS_SITE_DIR ?? join(repositoryRoot, "dist/site");
const paths = await catalogPaths(existsSync(siteFolder) ? siteFolder : undefined);
console.log(
  `burst: ${paths.length} catalog paths × ${rounds} rounds, ${concurrency} at once, against ${baseUrl}`,
);
const result = await runBurst({
  baseUrl,
  paths,
  rounds,
  concurrency,
  progress: (line) => console.log(`  · ${line}`),
});

console.log(
  `${result.requests} requests in ${result.seconds.toFixed(1)} s: ${formatStatuses(result.statuses)}` +
    (result.notSent > 0 ? `; ${result.notSent} not sent before the deadline` : ""),
);
for (const problem of result.problems)
  console.log(`  ✗ ${problem.status} ${problem.path}: ${problem.detail}`);
if (!burstPassed(result)) {
  console.log("FAIL: server errors or lost requests (the edge's own output says why)");
  process.exit(1);
}
console.log("OK: no 5xx");
