// Builds the Astro site once per test run, into a temporary folder the tests that need it share.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    siteFolder: string;
  }
}

export default async function setup(project: TestProject) {
  const root = process.cwd();
  const siteFolder = await mkdtemp(join(tmpdir(), "goodgreets-site-"));
  // A separate process keeps Astro's own Vite away from the one running the tests.
  await promisify(execFile)(
    process.execPath,
    [join(root, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", siteFolder],
    // The site as it ships: vitest's NODE_ENV=test would build Preact's devtools hook and dev JSX into it.
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", ASTRO_TELEMETRY_DISABLED: "1" },
      timeout: 110_000,
    },
  );
  project.provide("siteFolder", siteFolder);
  return async () => {
    await rm(siteFolder, { recursive: true, force: true });
  };
}
