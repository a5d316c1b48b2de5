// Builds this tree's Astro site as it ships into a folder, in a separate process (Astro's own Vite stays
// away from the one running the tests): for the test run's shared site and for the bench parts.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const repositoryRoot = join(import.meta.dirname, "..");

export async function buildProductionSite(outDir: string, timeoutMs: number): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(repositoryRoot, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", outDir],
    // NODE_ENV=production: vitest's `test` (or a development NODE_ENV) would put Preact's devtools hook and
    // development JSX into every page, and into the benches' weights and timings.
    {
      cwd: repositoryRoot,
      env: { ...process.env, NODE_ENV: "production", ASTRO_TELEMETRY_DISABLED: "1" },
      timeout: timeoutMs,
    },
  );
}
