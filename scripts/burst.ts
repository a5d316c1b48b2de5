// `npm run burst`: a browser-like burst against a running `npm start` — every catalog page and picture,
// 50 at once, several rounds. Prints the count of each status; exits 1 on any 5xx or lost request.
// Options: --url <edge>, --rounds <n>, --concurrency <n>. The edge URL otherwise comes from
// data/local.env (written by `npm start`), else http://localhost:8080.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { burstPassed, formatStatuses, runBurst } from "../test/bench/burst.ts";
import { catalogPaths } from "../test/bench/catalog-paths.ts";

const repositoryRoot = join(import.meta.dirname, "..");
const edgeUrlVariable = "GOODGREETS_EDGE_URL";

/** One variable of a dotenv-style file (`NAME=value`, optionally quoted); undefined when absent. */
function envFileValue(text: string, name: string): string | undefined {
  for (const line of text.split("\n")) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] !== name) continue;
    const value = match[2] ?? "";
    return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return undefined;
}

async function edgeUrlFromLocalEnv(): Promise<string | undefined> {
  const file = join(process.env.GOODGREETS_DATA_DIR ?? join(repositoryRoot, "data"), "local.env");
  try {
    return envFileValue(await readFile(file, "utf8"), edgeUrlVariable);
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

const siteFolder = join(repositoryRoot, "dist/site");
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
