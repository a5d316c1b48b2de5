// Builds the Astro site once per test run, into a temporary folder the tests that need it share.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildProductionSite } from "./production-site.ts";

declare module "vitest" {
  export interface ProvidedContext {
    siteFolder: string;
  }
}

export default async function setup(project: TestProject) {
  const siteFolder = await mkdtemp(join(tmpdir(), "goodgreets-site-"));
  await buildProductionSite(siteFolder, 110_000);
  project.provide("siteFolder", siteFolder);
  return async () => {
    await rm(siteFolder, { recursive: true, force: true });
  };
}
