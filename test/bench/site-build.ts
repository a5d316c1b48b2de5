// The built site a bench part measures: one it is told to reuse, or this tree's site built as it ships
// into a new temporary folder (the one rule for `npm run bench`'s edge, cards and lighthouse parts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProductionSite } from "../production-site.ts";

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
    await buildProductionSite(folder, 300_000);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { folder, fresh: true };
}
