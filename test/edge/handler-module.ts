// Lambda@Edge handlers a test writes as one module in a temporary folder, started in the local runtime and
// closed again together: what the runtime's test files share.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type LambdaEdgeEventType,
  type LambdaEdgeFunction,
  type LambdaEdgeSource,
  startLambdaEdgeFunction,
} from "../../infra/local/edge/lambda-edge-runtime.ts";

export interface HandlerModule {
  readonly folder: string;
  /** Starts the module's `exportName` for `eventType`; closed by `close`. */
  start(
    exportName: string,
    eventType: LambdaEdgeEventType,
    options?: Pick<LambdaEdgeSource, "timeoutMs" | "concurrency">,
  ): LambdaEdgeFunction;
  /** Closes every function started and removes the folder. */
  close(): Promise<void>;
}

export async function writeHandlerModule(name: string, source: string): Promise<HandlerModule> {
  const folder = await mkdtemp(join(tmpdir(), `${name}-`));
  const modulePath = join(folder, "handlers.mjs");
  await writeFile(modulePath, source);
  const started: LambdaEdgeFunction[] = [];
  return {
    folder,
    start(exportName, eventType, options = {}) {
      const lambda = startLambdaEdgeFunction({
        name: exportName,
        modulePath,
        exportName,
        eventType,
        ...options,
      });
      started.push(lambda);
      return lambda;
    },
    async close() {
      await Promise.all(started.map((lambda) => lambda.close()));
      await rm(folder, { recursive: true, force: true });
    },
  };
}
