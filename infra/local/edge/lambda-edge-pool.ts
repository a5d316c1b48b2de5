// The execution environments of one Lambda@Edge function: a few at once, one invocation each, lost ones replaced.

/**
 * An execution environment runs one invocation at a time; Lambda meets concurrent requests with more
 * environments, up to the Region's concurrency quota (1,000 for Lambda@Edge, aws-edge-facts.md B4). The
 * local edge keeps a few per function, so image misses render side by side without crowding the machine.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 */
export const defaultConcurrency = 2;

export interface EnvironmentPool<Environment> {
  /** An idle environment, a new one while there is room, or the first to come free; none once shut down. */
  acquire(): Promise<Environment | undefined>;
  /** Done with an invocation: the environment goes to the first one waiting, or waits idle. */
  release(of: Environment): void;
  /** Lost (crashed, timed out, stopped, failed its Init): its room goes to the first invocation waiting,
   * which starts another. */
  remove(of: Environment): void;
  /** Shuts down: `stop` is called on each live environment, waiting invocations get none; returns those. */
  close(stop: (of: Environment) => void): Environment[];
}

export function environmentPool<Environment>(
  start: () => Environment,
  concurrency: number = defaultConcurrency,
): EnvironmentPool<Environment> {
  /** Every live environment, and those of them with no invocation. */
  const environments = new Set<Environment>();
  const idle: Environment[] = [];
  /**
   * Invocations waiting for an environment, first come first served: each is handed one coming free, or
   * undefined when one has gone (room to start another) or the function is shut down.
   */
  const waiting: ((handed: Environment | undefined) => void)[] = [];
  let closed = false;

  const remove = (of: Environment) => {
    const wasLive = environments.delete(of);
    if (idle.includes(of)) idle.splice(idle.indexOf(of), 1);
    if (wasLive) waiting.shift()?.(undefined);
  };

  return {
    async acquire() {
      for (;;) {
        if (closed) return undefined;
        const free = idle.pop();
        if (free) return free;
        if (environments.size < concurrency) {
          const created = start();
          environments.add(created);
          return created;
        }
        const handed = await new Promise<Environment | undefined>((resolve) => waiting.push(resolve));
        if (handed && environments.has(handed)) return handed;
      }
    },
    release(of) {
      if (!environments.has(of)) return;
      const next = waiting.shift();
      if (next) next(of);
      else idle.push(of);
    },
    remove,
    close(stop) {
      closed = true;
      const all = [...environments];
      for (const current of all) stop(current);
      for (const resolve of waiting.splice(0)) resolve(undefined);
      return all;
    },
  };
}
