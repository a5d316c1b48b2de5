// One CloudFront Function's thread: prepares its sandbox, then runs one event at a time, so a function
// that never returns (a loop, an endless chain of awaits) stalls this thread and never the edge's.
import { parentPort, workerData } from "node:worker_threads";
import {
  CloudFrontFunctionSandbox,
  type SandboxRun,
  type SandboxSource,
} from "./cloudfront-function-sandbox.ts";

const port = parentPort;
if (!port) throw new Error("cloudfront-function-worker runs as a worker thread");

const sandbox = new CloudFrontFunctionSandbox(workerData as SandboxSource);
sandbox.prepare();
const threadCpuMicros = () => {
  const used = process.threadCpuUsage();
  return used.user + used.system;
};
// The thread's CPU so far lets the edge judge a run that does not come back by the CPU it burns.
port.postMessage({ type: "ready", threadCpuMicros: threadCpuMicros() });
port.on("message", (message: SandboxRun & { id: number }) => {
  const outcome = sandbox.run(message);
  port.postMessage({ type: "outcome", id: message.id, outcome, threadCpuMicros: threadCpuMicros() });
});
