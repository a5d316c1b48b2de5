// `npm run metrics` as a process: text, --json, the HTML report written, and clear refusals.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeMetrics } from "../../infra/metrics/edge-metrics.ts";
import { times, w3cFile } from "./sample-logs.ts";

const cli = join(process.cwd(), "infra/metrics/cli.ts");
let folder: string;
let cache: string;
let logFile: string;

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [cli, "--cache", cache, ...args], {
    cwd: process.cwd(),
    timeout: 60_000,
  });

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "metrics-cli-"));
  cache = await mkdtemp(join(tmpdir(), "metrics-cli-cache-"));
  logFile = join(folder, "E2EXAMPLE.2026-11-28-10.a1b2c3d4");
  await writeFile(
    logFile,
    w3cFile(
      [
        ...times(3, {
          at: "2026-11-28T10:00:00",
          uri: "/",
          status: 200,
          result: "Hit",
          bytes: 100,
          timeTaken: 0.001,
        }),
        { at: "2026-11-28T10:00:01", uri: "/", status: 200, result: "Miss", bytes: 100, timeTaken: 0.1 },
      ],
      33,
    ),
  );
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

describe("npm run metrics", () => {
  it("prints the hit ratio and writes the HTML report", async () => {
    const report = join(folder, "report.html");
    const { stdout } = await run(["--html", report, join(folder, "E2EXAMPLE.2026-11-28-10.a1b2c3d4")]);
    expect(stdout).toContain("Hit ratio 75.0% (Hit 3 + RefreshHit 0 of those and Miss 1)");
    expect(stdout).toContain(`HTML report: ${report}`);
    const html = await readFile(report, "utf8");
    expect(html).toContain("<b>75.0%</b>hit ratio");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  }, 60_000);

  it("prints one JSON document with --json, for a window picked with --since/--until", async () => {
    const { stdout, stderr } = await run([
      "--json",
      "--no-html",
      "--since",
      "2026-11-28T10:00:01Z",
      "--until",
      "2026-11-28T11:00:00Z",
      folder,
    ]);
    const metrics = JSON.parse(stdout) as EdgeMetrics;
    expect(metrics.schema).toBe("goodgreets.edge-metrics/1");
    expect(metrics.requests).toBe(1);
    expect(metrics.resultTypes.miss).toBe(1);
    // The first test converted the log file (this folder also holds its HTML report now, converted here
    // as a log of malformed lines); the cache use is on stderr.
    expect(stderr).toContain(`metrics: cache ${cache}: 1 file(s) read from it, 1 converted into it`);
  }, 60_000);

  it("leaves the cache's own files out when a folder named holds it", async () => {
    const logs = await mkdtemp(join(tmpdir(), "metrics-cli-logs-"));
    try {
      await writeFile(join(logs, "E2EXAMPLE.2026-11-28-10.a1b2c3d4"), await readFile(logFile));
      const inside = join(logs, "metrics-cache");
      await run(["--no-html", "--cache", inside, logs]);
      const { stdout } = await run(["--json", "--no-html", "--cache", inside, logs]);
      expect((JSON.parse(stdout) as EdgeMetrics).input.files).toBe(1);
    } finally {
      await rm(logs, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses a time that is not one, and a path that does not exist, saying which", async () => {
    await expect(run(["--since", "yesterday", folder])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--since must be an ISO 8601 time, got "yesterday"'),
    });
    await expect(run(["--no-html", join(folder, "nowhere")])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`no log file or folder at ${join(folder, "nowhere")}`),
    });
  }, 60_000);
});
