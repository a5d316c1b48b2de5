// A whole local stack on free ports with its data in a new temporary folder that the PostgreSQL server's
// own user can pass through (it runs as `postgres` when tests or benches run as root): the one way test
// files (through test-stack.ts) and bench parts start a stack.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../infra/local/stack.ts";

const repositoryRoot = join(import.meta.dirname, "../..");

export interface TempStack {
  /** The running stack (a new one after `restart`). */
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** Stops the stack and starts it again on the same data, as a second `npm start` would. */
  restart(options?: StackOptions): Promise<LocalStack>;
  /** Stops the stack and removes its data folder. */
  close(): Promise<void>;
}

/** What a caller may set; the data folder, ports and the repository's own folders are chosen here. */
export type StackOptions = Omit<
  LocalStackOptions,
  "dataDir" | "siteFolder" | "artFolder" | "repositoryRoot" | "ports"
>;

export async function startTempStack(
  name: string,
  siteFolder: string,
  options: StackOptions = {},
): Promise<TempStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `goodgreets-${name}-`));
  await chmod(dataDir, 0o711);
  const start = (extra: StackOptions) =>
    startLocalStack({
      dataDir,
      siteFolder,
      artFolder: join(repositoryRoot, "site/catalog/art"),
      repositoryRoot,
      ports: { edge: 0, s3: 0, dataApi: 0, functionUrl: 0 },
      ...extra,
    });
  let stack: LocalStack;
  try {
    stack = await start(options);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
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
