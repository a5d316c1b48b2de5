// The execution-environment pool, without workers: at most the bound at once, invocations waiting first come
// first served, a lost environment's room handed to the next waiting, nothing handed out once shut down.
import { describe, expect, it } from "vitest";
import { defaultConcurrency, environmentPool } from "../../infra/local/edge/lambda-edge-pool.ts";

/** A pool of numbered environments, counting how many were started. */
function numbered(concurrency?: number) {
  let started = 0;
  const pool = environmentPool(() => ++started, concurrency);
  return { pool, started: () => started };
}
/** Whether a promise has settled, after the microtasks already queued have run. */
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("the Lambda@Edge environment pool", () => {
  it("starts at most two environments by default, and reuses an idle one", async () => {
    expect(defaultConcurrency).toBe(2);
    const { pool, started } = numbered();
    expect([await pool.acquire(), await pool.acquire()]).toEqual([1, 2]);
    const third = pool.acquire();
    expect(await settled(third)).toBe(false);
    expect(started()).toBe(2);
    pool.release(2);
    expect(await third).toBe(2);
    pool.release(2);
    expect(await pool.acquire()).toBe(2); // idle, not a new one
    expect(started()).toBe(2);
  });

  it("hands environments coming free to waiting invocations first come first served", async () => {
    const { pool } = numbered(1);
    const first = await pool.acquire();
    const waiting = [pool.acquire(), pool.acquire()];
    pool.release(first as number);
    expect(await waiting[0]).toBe(1);
    expect(await settled(waiting[1] as Promise<unknown>)).toBe(false);
    pool.release(1);
    expect(await waiting[1]).toBe(1);
  });

  it("replaces an environment lost to a timeout: the next waiting invocation starts another", async () => {
    const { pool, started } = numbered(1);
    const lost = await pool.acquire();
    const waiting = pool.acquire();
    pool.remove(lost as number);
    expect(await waiting).toBe(2);
    expect(started()).toBe(2);
    pool.release(lost as number); // the lost one's invocation ends: it is not handed out again
    expect(await settled(pool.acquire())).toBe(false);
  });

  it("stops every live environment on shutdown and hands waiting invocations none", async () => {
    const { pool } = numbered(1);
    await pool.acquire();
    const waiting = pool.acquire();
    const stopped: number[] = [];
    const all = pool.close((of) => {
      stopped.push(of);
      pool.remove(of);
    });
    expect(all).toEqual([1]);
    expect(stopped).toEqual([1]);
    expect(await waiting).toBeUndefined();
    expect(await pool.acquire()).toBeUndefined();
  });
});
