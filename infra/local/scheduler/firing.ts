// How the Scheduler stand-in fires: a due schedule invokes its Lambda target with the schedule's input as
// the event (as Scheduler's Lambda Invoke does), a failed invocation is retried with backoff while the
// retry policy allows (attempts, event age), and an invocation out of retries goes to the dead-letter list.
// The clock is the stand-in's own (movable in tests); nothing fires until fireDue() is called or the poll runs.
import { randomUUID } from "node:crypto";
import type { StoredSchedule } from "./schedule-rules.ts";
import type { ScheduleStore } from "./schedule-store.ts";

/** A Lambda handler as Scheduler's Invoke reaches it: the event and a context. */
export type LambdaTarget = (
  event: unknown,
  context: { awsRequestId: string; functionName: string },
) => Promise<unknown>;

interface Invocation {
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
function retryDelayMilliseconds(retry: number): number {
  return Math.min(60_000 * 2 ** (retry - 1), 15 * 60_000);
}

/** The event a Lambda target receives: the input parsed as JSON, or the text itself when it is not JSON. */
function targetEvent(input: string | undefined): unknown {
  if (input === undefined) return {};
  try {
    return JSON.parse(input);
  } catch (error) {
    if (error instanceof SyntaxError) return input;
    throw error;
  }
}

interface InvocationResult {
  ok: boolean;
  error?: string;
}

/** Runs `jobs` with at most `limit` at a time (Lambda's concurrency), in order of start. */
async function runLimited<T>(
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

async function invoke(
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

/**
 * The stand-in's firing: which schedules are in flight (one invocation chain each, two when told to fire
 * twice), the retries waiting for their time, and the dead letters. A schedule completes when its last
 * chain ends: deleted or disabled as its ActionAfterCompletion says.
 */
export class ScheduleFiring {
  /** Which schedules fire twice, concurrently, when they come due (none by default). */
  fireTwice: (schedule: StoredSchedule) => boolean = () => false;
  readonly deadLetters: DeadLetter[] = [];
  readonly #store: ScheduleStore;
  readonly #targets: Map<string, LambdaTarget>;
  readonly #now: () => number;
  readonly #concurrency: number;
  readonly #log: (message: string) => void;
  readonly #inFlight = new Map<string, { schedule: StoredSchedule; chains: number }>();
  #retries: Invocation[] = [];
  #firing: Promise<{ invocations: number; failures: number }> | undefined;

  constructor(options: {
    store: ScheduleStore;
    targets: Map<string, LambdaTarget>;
    now: () => number;
    concurrency: number;
    log: (message: string) => void;
  }) {
    this.#store = options.store;
    this.#targets = options.targets;
    this.#now = options.now;
    this.#concurrency = options.concurrency;
    this.#log = options.log;
  }

  get pendingRetries(): number {
    return this.#retries.length;
  }

  setTarget(arn: string, handler: LambdaTarget): void {
    this.#targets.set(arn, handler);
  }

  getTarget(arn: string): LambdaTarget | undefined {
    return this.#targets.get(arn);
  }

  /** Fires every schedule and retry due by the clock, and waits for them to finish. */
  fireDue(): Promise<{ invocations: number; failures: number }> {
    this.#firing ??= this.#fire().finally(() => {
      this.#firing = undefined;
    });
    return this.#firing;
  }

  /** Waits for a firing in progress, if any. */
  async settled(): Promise<void> {
    await this.#firing;
  }

  async #fire(): Promise<{ invocations: number; failures: number }> {
    const clock = this.#now();
    const due: Invocation[] = [];
    for (const schedule of this.#store.schedules.values()) {
      const { fireAt } = schedule;
      if (
        schedule.State !== "ENABLED" ||
        fireAt === null ||
        fireAt > clock ||
        this.#inFlight.has(keyOf(schedule))
      )
        continue;
      const twice = this.fireTwice(schedule);
      this.#inFlight.set(keyOf(schedule), { schedule, chains: twice ? 2 : 1 });
      due.push({ schedule, retry: 0, dueAt: fireAt });
      if (twice) due.push({ schedule, retry: 0, dueAt: fireAt });
    }
    due.push(...this.#retries.filter((retry) => retry.dueAt <= clock));
    this.#retries = this.#retries.filter((retry) => retry.dueAt > clock);
    const before = this.deadLetters.length + this.#retries.length;
    await runLimited(due, this.#concurrency, (invocation) => this.#run(invocation));
    return { invocations: due.length, failures: this.deadLetters.length + this.#retries.length - before };
  }

  async #run(invocation: Invocation): Promise<void> {
    const { schedule } = invocation;
    const result = await invoke(this.#targets, schedule, randomUUID());
    if (result.ok) return this.#chainEnded(schedule);
    const policy = schedule.Target.RetryPolicy ?? {
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: 86_400,
    };
    const retry = invocation.retry + 1;
    const dueAt = this.#now() + retryDelayMilliseconds(retry);
    const firedAt = schedule.fireAt ?? invocation.dueAt;
    if (
      retry <= (policy.MaximumRetryAttempts ?? 185) &&
      dueAt - firedAt <= (policy.MaximumEventAgeInSeconds ?? 86_400) * 1000
    ) {
      this.#retries.push({ schedule, retry, dueAt });
      return;
    }
    this.deadLetters.push({
      scheduleArn: schedule.Arn,
      targetArn: schedule.Target.Arn,
      input: schedule.Target.Input,
      error: result.error ?? "failed",
      retries: invocation.retry,
    });
    this.#log(`scheduler: ${schedule.Name} out of retries (${result.error}); sent to the dead-letter queue`);
    return this.#chainEnded(schedule);
  }

  /** One invocation chain ended: when the schedule's last chain ends it completes (DELETE removes it). */
  async #chainEnded(schedule: StoredSchedule): Promise<void> {
    const entry = this.#inFlight.get(keyOf(schedule));
    if (!entry || entry.schedule !== schedule) return;
    entry.chains -= 1;
    if (entry.chains > 0) return;
    this.#inFlight.delete(keyOf(schedule));
    // A schedule replaced while it ran is a new schedule: it stays.
    if (this.#store.get(schedule.GroupName, schedule.Name) !== schedule) return;
    if (schedule.ActionAfterCompletion === "DELETE")
      await this.#store.delete(schedule.GroupName, schedule.Name);
    else await this.#store.put({ ...schedule, State: "DISABLED" });
  }
}

const keyOf = (schedule: StoredSchedule) => `${schedule.GroupName}/${schedule.Name}`;
