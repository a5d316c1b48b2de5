// The acceptance burst: a whole local stack, then every catalog page and picture requested as a browser
// does, 50 at once for several rounds; every one must be answered 200 — no 5xx, nothing lost.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type LocalStack, startLocalStack } from "../../infra/local/stack.ts";
import { formatStatuses, runBurst } from "../bench/burst.ts";
import { catalogPaths } from "../bench/catalog-paths.ts";

const repositoryRoot = process.cwd();
const rounds = 8;
let dataDir: string;
let stack: LocalStack | undefined;
// The edge reports function failures and origin trouble on its diagnostic output (console.error).
const diagnostics: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "goodgreets-burst-"));
  // PostgreSQL runs as its own user when the tests run as root: it must be able to pass through.
  await chmod(dataDir, 0o711);
  stack = await startLocalStack({
    dataDir,
    siteFolder: inject("siteFolder"),
    artFolder: join(repositoryRoot, "site/catalog/art"),
    repositoryRoot,
    ports: { edge: 0, s3: 0, dataApi: 0, functionUrl: 0 },
  });
  vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => {
    diagnostics.push(parts.map(String).join(" "));
  });
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.close();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("a browser-like burst through the local edge", () => {
  it("answers every catalog page and picture, 50 at once, with 200", async () => {
    const paths = await catalogPaths(inject("siteFolder"));
    expect(paths).toContain("/");
    expect(paths.some((path) => path.startsWith("/img/catalog/"))).toBe(true);

    const result = await runBurst({ baseUrl: stack?.edge.url ?? "", paths, concurrency: 50, rounds });

    const report = [
      formatStatuses(result.statuses),
      ...result.problems.map((problem) => `${problem.status} ${problem.path}: ${problem.detail}`),
      ...diagnostics.map((line) => `diagnostic: ${line}`),
    ].join("\n");
    expect(result.problems, report).toEqual([]);
    expect(result.notSent, report).toBe(0);
    expect([...result.statuses], report).toEqual([[200, rounds * paths.length]]);
  }, 300_000);
});
