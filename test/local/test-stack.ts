// One local stack for a test file: free ports, the run's shared site build, and a temp data folder the
// PostgreSQL server's own user can pass through (it runs as `postgres` when the tests run as root).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../infra/local/stack.ts";

export interface TestStack {
  /** The running stack (a new one after `restart`). */
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** Stops the stack and starts it again on the same data, as a second `npm start` would. */
  restart(options?: ExtraOptions): Promise<LocalStack>;
  /** Stops the stack and removes its data folder. */
  close(): Promise<void>;
}

type ExtraOptions = Omit<
  LocalStackOptions,
  "dataDir" | "siteFolder" | "artFolder" | "repositoryRoot" | "ports"
>;

export async function startTestStack(name: string, options: ExtraOptions = {}): Promise<TestStack> {
  const repositoryRoot = process.cwd();
  const dataDir = await mkdtemp(join(tmpdir(), `goodgreets-${name}-`));
  await chmod(dataDir, 0o711);
  const start = (extra: ExtraOptions) =>
    startLocalStack({
      dataDir,
      siteFolder: inject("siteFolder"),
      artFolder: join(repositoryRoot, "site/catalog/art"),
      repositoryRoot,
      ports: { edge: 0, s3: 0, dataApi: 0, functionUrl: 0 },
      ...extra,
    });
  let stack = await start(options);
  return {
    get stack() {
      return stack;
    },
    dataDir,
    async restart(extra = options) {
      await stack.close();
      stack = await start(extra);
      return stack;
    },
    async close() {
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
