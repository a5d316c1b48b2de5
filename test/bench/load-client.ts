// The bench's load client: autocannon in a child process of its own, so the client never takes CPU from
// a server measured in the bench's process. Each connection walks the same list of paths in a loop.
import { fork } from "node:child_process";
import { join } from "node:path";

export interface LoadOptions {
  url: string;
  paths: readonly string[];
  connections: number;
  /** How long the measured run lasts. */
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Count of each status; anything but 200 makes the figures suspect. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

export type LoadMessage =
  | { type: "tick"; second: number; requests: number }
  | { type: "done"; result: LoadResult }
  | { type: "failed"; message: string };

const worker = join(import.meta.dirname, "load-worker.ts");

/** Runs one load; `tick` gets each second's request count. Killed if it overruns its duration by 60 s. */
export function runLoad(
  options: LoadOptions,
  tick: (second: number, requests: number) => void,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const guard = setTimeout(
      () => {
        child.kill("SIGKILL");
        reject(new Error(`the load client overran ${options.durationSeconds} s by a minute and was stopped`));
      },
      (options.durationSeconds + 60) * 1000,
    );
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      action();
    };
    child.on("message", (message: LoadMessage) => {
      if (message.type === "tick") tick(message.second, message.requests);
      else if (message.type === "done") settle(() => resolve(message.result));
      else settle(() => reject(new Error(`load client: ${message.message}`)));
    });
    child.once("error", (error) => settle(() => reject(error)));
    child.once("exit", (code, signal) =>
      settle(() => reject(new Error(`the load client exited early (${code ?? signal})`))),
    );
    child.send(options);
  });
}
