// The metrics bench: `npm run metrics` against `goaccess --log-format=CLOUDFRONT` (Debian's package,
// installed when missing) on the same generated 1,000,000-line log in the same run: wall time, lines/s
// and peak resident memory of each process, measured alike by GNU time.
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
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
}

/** Runs a command under GNU time: elapsed and CPU seconds, and the maximum resident set size. */
async function measure(command: string, args: string[], folder: string): Promise<Measured> {
  const timeFile = join(folder, "time.txt");
  const { stdout } = await promisify(execFile)(
    "/usr/bin/time",
    ["-f", "%e %U %S %M", "-o", timeFile, command, ...args],
    {
      cwd: repositoryRoot,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    },
  );
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
    stdout,
  };
}

export async function benchMetrics(): Promise<void> {
  console.log("\nEdge metrics against GoAccess");
  ensurePackages();
  const folder = await mkdtemp(join(tmpdir(), "goodgreets-bench-metrics-"));
  try {
    const log = join(folder, "E2EBENCH.2026-11-27-00.bench");
    step(`generating a ${lines.toLocaleString("en-US")}-line CloudFront log`);
    await writeBenchLog(log, lines);
    step("npm run metrics (DuckDB)");
    const metrics = await measure(
      process.execPath,
      [join(repositoryRoot, "infra/metrics/cli.ts"), "--json", "--no-html", log],
      folder,
    );
    step("goaccess --log-format=CLOUDFRONT");
    const goaccess = await measure(
      "goaccess",
      [
        log,
        "--log-format=CLOUDFRONT",
        "--no-global-config",
        "--no-progress",
        "-o",
        join(folder, "goaccess.json"),
      ],
      folder,
    );
    // Both must have read every line for the comparison to be fair.
    const reviewed = (JSON.parse(metrics.stdout) as { requests: number }).requests;
    const parsed = (
      JSON.parse(await readFile(join(folder, "goaccess.json"), "utf8")) as {
        general: { valid_requests: number };
      }
    ).general.valid_requests;
    step(
      `requests counted: metrics ${reviewed.toLocaleString("en-US")}, goaccess ${parsed.toLocaleString("en-US")}`,
    );
    const row = (label: string, figures: Measured) =>
      `${label.padEnd(10)} ${figures.seconds.toFixed(2).padStart(8)} ${figures.cpuSeconds.toFixed(2).padStart(8)} ${Math.round(
        lines / figures.seconds,
      )
        .toLocaleString("en-US")
        .padStart(12)} ${(figures.peakBytes / 1024 ** 2).toFixed(0).padStart(10)}`;
    const ratio = goaccess.seconds / metrics.seconds;
    const cpuRatio = goaccess.cpuSeconds / metrics.cpuSeconds;
    console.log(`
${"".padEnd(10)} ${"seconds".padStart(8)} ${"CPU s".padStart(8)} ${"lines/s".padStart(12)} ${"peak MiB".padStart(10)}
${row("metrics", metrics)}
${row("goaccess", goaccess)}
metrics / goaccess: ${ratio.toFixed(1)}× the lines/s (wall time), ${cpuRatio.toFixed(1)}× less CPU time; the aim is ${aimRatio}× — ${ratio >= aimRatio ? "met" : "not met"}; peak memory ${metrics.peakBytes < memoryAimBytes ? "under" : "over"} 1 GiB`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchMetrics();
