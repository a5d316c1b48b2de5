// The built site a bench part measures: one it is told to reuse, or this tree's site built as it ships
// into a new temporary folder (the one rule for `npm run bench`'s edge, cards and lighthouse parts).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const repositoryRoot = join(import.meta.dirname, "../..");

export interface BenchSite {
  folder: string;
  /** Whether `folder` is a temporary build the caller removes when done. */
  fresh: boolean;
}

/** `reuse` when given (a folder holding a built site), else a fresh production build; `part` names the folder. */
export async function benchSite(
  part: string,
  step: (message: string) => void,
  reuse?: string,
): Promise<BenchSite> {
  if (reuse) {
    step(`using the site built in ${reuse}`);
    return { folder: reuse, fresh: false };
  }
  const folder = await mkdtemp(join(tmpdir(), `goodgreets-bench-${part}-site-`));
  step(`building the site into ${folder}`);
  try {
    await promisify(execFile)(
      process.execPath,
      [join(repositoryRoot, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", folder],
      // NODE_ENV=production, as test/global-setup.ts builds it: a test or development NODE_ENV would put
      // Preact's devtools hook and development JSX into every page's weight and timings.
      {
        cwd: repositoryRoot,
        env: { ...process.env, NODE_ENV: "production", ASTRO_TELEMETRY_DISABLED: "1" },
        timeout: 300_000,
      },
    );
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { folder, fresh: true };
}
