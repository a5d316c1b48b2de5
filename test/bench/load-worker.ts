// Child process of the load client: receives one LoadOptions, runs autocannon, reports each second and
// the result over IPC, then exits.
import autocannon from "autocannon";
import type { LoadMessage, LoadOptions } from "./load-client.ts";

const send = (message: LoadMessage) =>
  new Promise<void>((resolve) => {
    process.send?.(message, () => resolve());
  });

process.once("message", (options: LoadOptions) => {
  let second = 0;
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      // Each connection sends these in order, then starts over: the same URL mix for every server.
      requests: options.paths.map((path) => ({ method: "GET", path })),
    },
    (error: unknown, result: autocannon.Result) => {
      const message: LoadMessage = error
        ? { type: "failed", message: error instanceof Error ? error.message : String(error) }
        : {
            type: "done",
            result: {
              requests: result.requests.total,
              seconds: result.duration,
              requestsPerSecond: result.requests.total / result.duration,
              p50Ms: result.latency.p50,
              p99Ms: result.latency.p99,
              statuses: Object.fromEntries(
                Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [
                  status,
                  stats.count ?? 0,
                ]),
              ),
              errors: result.errors,
            },
          };
      send(message).then(() => process.exit(0));
    },
  );
  // autocannon passes each second's { counter, bytes }; its typings declare no argument, hence addListener.
  instance.addListener("tick", (counter: { counter: number }) => {
    second += 1;
    process.send?.({ type: "tick", second, requests: counter.counter } satisfies LoadMessage);
  });
});
