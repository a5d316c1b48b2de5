// How the Scheduler stand-in fires: a due schedule invokes its Lambda target with the schedule's input as
// the event (as Scheduler's Lambda Invoke does), a failed invocation is retried with backoff while the
// retry policy allows (attempts, event age), and an invocation out of retries goes to the dead-letter list.
// The clock is the stand-in's own (movable in tests); nothing fires until fireDue() is called or the poll runs.
import type { StoredSchedule } from "./schedule-rules.ts";

/** A Lambda handler as Scheduler's Invoke reaches it: the event and a context. */
export type LambdaTarget = (
  event: unknown,
  context: { awsRequestId: string; functionName: string },
) => Promise<unknown>;

export interface Invocation {
  schedule: StoredSchedule;
  /** 0 for the first call, n for the nth retry. */
  retry: number;
  dueAt: number;
}

export interface DeadLetter {
  scheduleArn: string;
  targetArn: string;
  input: string | undefined;
  error: string;
  retries: number;
}

/** Delay before the nth retry: doubling from a minute, capped at 15 minutes. */
export function retryDelayMilliseconds(retry: number): number {
  return Math.min(60_000 * 2 ** (retry - 1), 15 * 60_000);
}

/** The event a Lambda target receives: the input parsed as JSON, or the text itself when it is not JSON. */
export function targetEvent(input: string | undefined): unknown {
  if (input === undefined) return {};
  try {
    return JSON.parse(input);
  } catch (error) {
    if (error instanceof SyntaxError) return input;
    throw error;
  }
}

export interface InvocationResult {
  ok: boolean;
  error?: string;
}

/** Runs `jobs` with at most `limit` at a time (Lambda's concurrency), in order of start. */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  job: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await job(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function invoke(
  targets: ReadonlyMap<string, LambdaTarget>,
  schedule: StoredSchedule,
  requestId: string,
): Promise<InvocationResult> {
  const target = targets.get(schedule.Target.Arn);
  if (!target)
    return { ok: false, error: `ResourceNotFoundException: Function not found: ${schedule.Target.Arn}` };
  try {
    await target(targetEvent(schedule.Target.Input), {
      awsRequestId: requestId,
      functionName: schedule.Target.Arn.split(":").at(-1) ?? "function",
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
