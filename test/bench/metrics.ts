// The metrics bench: `npm run metrics` against `goaccess --log-format=CLOUDFRONT` (Debian's package,
// installed when missing) on the same generated 1,000,000-line log in the same run: wall time, CPU time,
// lines/s and peak resident memory of each process, measured alike by GNU time. Each tool twice over: cold
// (the review's first run, converting the file into its columnar cache; GoAccess parsing the log, and
// again with --persist writing its on-disk database) and warm (the review again, reading the cache's
// hourly counts; GoAccess --restore from its database, without the log). A third review, on a window off
// the hour, counts every request from the cached rows: what a review pays when hourly counts can't answer.
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { writeBenchLog } from "./metrics-log.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
const lines = 1_000_000;
/** The aims: at least 30× GoAccess's lines/s, memory well under a gigabyte. */
const aimRatio = 30;
const memoryAimBytes = 1024 ** 3;
const step = (message: string) => console.log(`  · ${message}`);

/** The Debian packages the bench needs, installed when missing (as root, as in CI). */
function ensurePackages(): void {
  const missing = [
    ["goaccess", "goaccess"],
    ["/usr/bin/time", "time"],
  ].filter(([binary]) => spawnSync("sh", ["-c", `command -v ${binary}`]).status !== 0);
  if (missing.length === 0) return;
  const names = missing.map(([, name]) => name as string);
  if (process.getuid?.() !== 0)
    throw new Error(`missing ${names.join(", ")}: sudo apt-get install -y ${names.join(" ")}`);
  step(`installing Debian's ${names.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", ...names]]) {
    const result = spawnSync("apt-get", args, { env, stdio: "ignore", timeout: 300_000 });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (${result.status})`);
  }
}

interface Measured {
  seconds: number;
  /** User plus system CPU seconds: what the run cost, less swayed than wall time by a busy machine. */
  cpuSeconds: number;
  peakBytes: number;
  stdout: string;
  stderr: string;
}

/** Runs a command under GNU time (stdin empty, as GoAccess --restore needs): elapsed and CPU seconds, and
 * the maximum resident set size. */
async function measure(
  command: string,
  args: string[],
  folder: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measured> {
  const timeFile = join(folder, "time.txt");
  const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, command, ...args], {
    cwd: repositoryRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited with ${code}: ${Buffer.concat(stderr).toString()}`);
  const [seconds = "NaN", user = "NaN", system = "NaN", kibibytes = "NaN"] = (
    await readFile(timeFile, "utf8")
  )
    .trim()
    .split(/\s+/)
    .slice(-4);
  return {
    seconds: Number(seconds),
    cpuSeconds: Number(user) + Number(system),
    peakBytes: Number(kibibytes) * 1024,
    stdout: Buffer.concat(stdout).toString(),
    stderr: Buffer.concat(stderr).toString(),
  };
}

const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
const row = (label: string, figures: Measured) =>
  `${label.padEnd(30)} ${figures.seconds.toFixed(2).padStart(8)} ${figures.cpuSeconds.toFixed(2).padStart(8)} ${Math.round(
    lines / figures.seconds,
  )
    .toLocaleString("en-US")
    .padStart(12)} ${mib(figures.peakBytes).padStart(9)}`;
const factor = (ratio: number) => `${ratio >= 1 ? ratio.toFixed(1) : ratio.toPrecision(2)}×`;
const times = (slow: Measured, fast: Measured) =>
  `${factor(slow.seconds / fast.seconds)} wall, ${factor(slow.cpuSeconds / fast.cpuSeconds)} CPU`;

/** How much of each run's wall time it had a CPU (GoAccess uses one thread, the review up to a thread per
 * core): well under that, the machine was busy and the wall ratios say less than the CPU ones. */
function busy(cold: Measured, warm: Measured, goaccess: Measured): string {
  const share = (run: Measured) => `${((100 * run.cpuSeconds) / run.seconds).toFixed(0)}%`;
  return `CPU time over wall time: metrics cold ${share(cold)}, warm ${share(warm)} (up to ${availableParallelism() * 100}%), goaccess ${share(goaccess)} (up to 100%)`;
}

/**
 * The least a first review costs: Node started, DuckDB loaded, and the log read once by the CSV reader the
 * conversion uses (its 33 columns split, comment lines skipped), the lines counted and nothing kept.
 */
const floorScript = `import { DuckDBInstance } from "@duckdb/node-api";
const log = process.argv.at(-1).replaceAll("'", "''");
const connection = await (await DuckDBInstance.create(":memory:")).connect();
const columns = Array.from({ length: 33 }, (_, index) => \`'c\${index}': 'VARCHAR'\`).join(", ");
const counted = await connection.runAndReadAll(\`SELECT count(*) FROM read_csv('\${log}', delim='\\t',
  header=false, comment='#', quote='', escape='', auto_detect=false, parallel=true, columns={\${columns}})\`);
console.log(String(counted.getRows()[0][0]));`;

const aim = (slow: Measured, fast: Measured) =>
  `the aim, ${aimRatio}× the lines/s, is ${slow.seconds / fast.seconds >= aimRatio ? "met" : "not met"}`;

export async function benchMetrics(): Promise<void> {
  console.log("\nEdge metrics against GoAccess");
  ensurePackages();
  const folder = await mkdtemp(join(tmpdir(), "goodgreets-bench-metrics-"));
  try {
    const log = join(folder, "E2EBENCH.2026-11-27-00.bench");
    step(`generating a ${lines.toLocaleString("en-US")}-line CloudFront log`);
    await writeBenchLog(log, lines);
    const review = (...options: string[]) =>
      measure(
        process.execPath,
        [
          join(repositoryRoot, "infra/metrics/cli.ts"),
          "--json",
          "--no-html",
          "--cache",
          join(folder, "metrics-cache"),
          ...options,
          log,
        ],
        folder,
        // Node's compile cache in the bench's folder too: the cold run starts with neither cache.
        { ...process.env, NODE_COMPILE_CACHE: join(folder, "node-compile-cache") },
      );
    step("npm run metrics (DuckDB), cold: an empty cache (and no compiled code kept)");
    const cold = await review();
    step(cold.stderr.trim());
    step("npm run metrics again, warm");
    const warm = await review();
    step(warm.stderr.trim());
    // Half a minute before the log's first line: every line is in the window, which is off the hour.
    step("npm run metrics again, warm, --since off the hour");
    const offTheHour = await review("--since", "2026-11-26T23:59:30Z");
    const counting = [cold, warm, offTheHour].map(
      (run) => (JSON.parse(run.stdout) as { input: { counting: string } }).input.counting,
    );
    step(`counted (cold, warm, off the hour): ${counting.join(", ")}`);
    step("the floor: Node and DuckDB started, the log's lines read once and counted");
    const floor = await measure(
      process.execPath,
      ["--input-type=module", "--eval", floorScript, log],
      folder,
    );
    const goaccess = (output: string, ...options: string[]) =>
      measure(
        "goaccess",
        [
          ...options,
          "--log-format=CLOUDFRONT",
          "--no-global-config",
          "--no-progress",
          "-o",
          join(folder, output),
        ],
        folder,
      );
    const database = join(folder, "goaccess-db");
    await mkdir(database);
    step("goaccess --log-format=CLOUDFRONT");
    const plain = await goaccess("goaccess.json", log);
    step("goaccess --persist (its on-disk database), cold");
    const persist = await goaccess("goaccess-persist.json", log, "--persist", `--db-path=${database}`);
    step("goaccess --restore from that database, without the log, warm");
    const restore = await goaccess("goaccess-restore.json", "--restore", `--db-path=${database}`);

    // Every run must have counted every line for the comparison to be fair.
    const counted = [
      ...[cold, warm, offTheHour].map((run) => (JSON.parse(run.stdout) as { requests: number }).requests),
      ...(await Promise.all(
        ["goaccess.json", "goaccess-persist.json", "goaccess-restore.json"].map(
          async (output) =>
            (
              JSON.parse(await readFile(join(folder, output), "utf8")) as {
                general: { valid_requests: number };
              }
            ).general.valid_requests,
        ),
      )),
    ];
    step(
      `requests counted (metrics cold, warm, off the hour; goaccess, --persist, --restore): ${counted.join(", ")}`,
    );
    if (counted.some((count) => count !== lines))
      console.log("  ! a run did not count every line: figures suspect");
    const memory = Math.max(cold.peakBytes, warm.peakBytes, offTheHour.peakBytes);
    console.log(`
${"".padEnd(30)} ${"seconds".padStart(8)} ${"CPU s".padStart(8)} ${"lines/s".padStart(12)} ${"peak MiB".padStart(9)}
${row("metrics, cold (fills cache)", cold)}
${row("metrics, warm (hourly counts)", warm)}
${row("metrics, warm, off the hour", offTheHour)}
${row("floor: start + read the text", floor)}
${row("goaccess", plain)}
${row("goaccess --persist, cold", persist)}
${row("goaccess --restore, warm", restore)}
metrics cold vs goaccess: ${times(plain, cold)}; ${aim(plain, cold)}
metrics warm vs goaccess: ${times(plain, warm)}; ${aim(plain, warm)}
metrics warm, off the hour, vs goaccess: ${times(plain, offTheHour)}; ${aim(plain, offTheHour)}
floor vs goaccess: ${times(plain, floor)} (no cold review, which reads the text, can do better)
metrics cold vs goaccess --persist: ${times(persist, cold)}
metrics warm vs goaccess --restore: ${times(restore, warm)} (GoAccess restores the totals it stored, not the requests)
peak memory of metrics ${mib(memory)} MiB: ${memory < memoryAimBytes ? "under" : "over"} 1 GiB
${busy(cold, warm, plain)}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchMetrics();
