// One Lambda@Edge execution environment: imports the handler module once (Lambda's Init), says it is
// ready, then runs one event at a time with a `context` as Lambda's Node.js runtime gives it.
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

/** The context fields the edge sends with each event; the worker adds the methods. */
export interface LambdaEdgeContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** When the invocation times out (epoch ms). */
  deadlineMs: number;
}

const port = parentPort;
if (port) {
  const { modulePath, exportName } = workerData as { modulePath: string; exportName: string };
  const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const handler = module[exportName];

  port.on("message", async (message: { id: number; event: unknown; context: LambdaEdgeContext }) => {
    const { deadlineMs, ...fields } = message.context;
    // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
    const context = {
      ...fields,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    };
    try {
      if (typeof handler !== "function") throw new Error(`${modulePath} exports no function ${exportName}`);
      const result: unknown = await handler(message.event, context);
      // What crosses back must be plain data, as the real service serialises it to JSON.
      port.postMessage({
        id: message.id,
        result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)),
      });
    } catch (error) {
      port.postMessage({
        id: message.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  });
  port.postMessage({ type: "ready" });
}
