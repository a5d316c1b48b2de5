// One Lambda@Edge execution environment: imports the handler module once, then runs one event at a time.
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

const { modulePath, exportName } = workerData as { modulePath: string; exportName: string };
const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
const handler = module[exportName];

parentPort?.on("message", async (message: { id: number; event: unknown }) => {
  try {
    if (typeof handler !== "function") throw new Error(`${modulePath} exports no function ${exportName}`);
    const result: unknown = await handler(message.event, {});
    // What crosses back must be plain data, as the real service serialises it to JSON.
    parentPort?.postMessage({
      id: message.id,
      result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)),
    });
  } catch (error) {
    parentPort?.postMessage({
      id: message.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
});
