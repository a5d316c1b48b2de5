// The thread one CloudFront Function runs in: runs go one at a time, each stopped when it burns more CPU
// than its compute budget or outlives the wall-clock guard, and a stopped or crashed thread is replaced.
import { Worker } from "node:worker_threads";
import type { SandboxOutcome, SandboxRun, SandboxSource } from "./cloudfront-function-sandbox.ts";

export const overBudget = (usedMicros: number, budgetMicros: number) =>
  `the function exceeded its compute budget: ${(usedMicros / 1000).toFixed(1)} ms of CPU, the budget is ${budgetMicros / 1000} ms`;

export type ThreadReply = { type: "outcome"; outcome: SandboxOutcome } | { type: "stopped"; reason: string };
type Settle = (reply: ThreadReply) => void;
type Waiting = { run: Omit<SandboxRun, "startedAt">; settle: Settle };

// Node 24 reads a worker's CPU time from outside it, so a run that never comes back is stopped by the CPU
// it burns; without it only the wall-clock guard applies.
const canReadWorkerCpu = typeof (Worker.prototype as { cpuUsage?: unknown }).cpuUsage === "function";

/**
 * The thread a function runs in. Runs go one at a time and the clocks start when a run is handed to the
 * thread, so neither the thread's start-up nor a queue under load counts against a run.
 */
export class SandboxThread {
  readonly #source: SandboxSource;
  readonly #budgetMicros: number;
  readonly #guardMs: number;
  #worker: Worker | undefined;
  #ready = false;
  /** The thread's CPU time when it last went idle: what a run's CPU is counted from. */
  #idleCpuMicros = 0;
  #waiting: Waiting[] = [];
  #running: { id: number; settle: Settle; timers: NodeJS.Timeout[] } | undefined;
  #nextId = 0;
  #closed = false;

  constructor(source: SandboxSource, budgetMicros: number, guardMs: number) {
    this.#source = source;
    this.#budgetMicros = budgetMicros;
    this.#guardMs = guardMs;
  }

  submit(run: Omit<SandboxRun, "startedAt">): Promise<ThreadReply> {
    if (this.#closed) return Promise.resolve({ type: "stopped", reason: "the function was shut down" });
    return new Promise((settle) => {
      this.#waiting.push({ run, settle });
      this.#next();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll("the function was shut down");
    await worker?.terminate();
  }

  #next(): void {
    if (this.#running) return;
    // An idle thread does not keep the process alive; one with work does.
    if (this.#waiting.length === 0) {
      this.#worker?.unref();
      return;
    }
    if (!this.#worker) {
      this.#spawn();
      return;
    }
    if (!this.#ready) return;
    const { run, settle } = this.#waiting.shift() as Waiting;
    const worker = this.#worker;
    const id = this.#nextId++;
    const timers = [
      setTimeout(
        () => this.#stop(worker, `the function did not finish within ${this.#guardMs} ms`),
        this.#guardMs,
      ),
    ];
    if (canReadWorkerCpu)
      timers.push(
        setInterval(
          () => {
            this.#checkCpu(worker, id).catch((error: unknown) =>
              this.#stop(worker, `the function's sandbox failed: ${String(error)}`),
            );
          },
          Math.max(1, this.#budgetMicros / 1000),
        ),
      );
    this.#running = { id, settle, timers };
    worker.postMessage({ ...run, startedAt: Date.now(), id });
  }

  async #checkCpu(worker: Worker, id: number): Promise<void> {
    let used: NodeJS.CpuUsage;
    try {
      used = await worker.cpuUsage();
    } catch (error) {
      // A thread that has just exited cannot be read; its exit settles the run.
      if (this.#worker !== worker) return;
      throw error;
    }
    if (this.#running?.id !== id || this.#worker !== worker) return;
    const micros = used.user + used.system - this.#idleCpuMicros;
    if (micros > this.#budgetMicros) this.#stop(worker, overBudget(micros, this.#budgetMicros));
  }

  #spawn(): void {
    const worker = new Worker(new URL("./cloudfront-function-worker.ts", import.meta.url), {
      workerData: this.#source,
      // CloudFront Functions get 2 MB; this cap only keeps a runaway allocation from taking the edge down.
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    this.#worker = worker;
    this.#ready = false;
    worker.on(
      "message",
      (message: {
        type: "ready" | "outcome";
        id?: number;
        outcome?: SandboxOutcome;
        threadCpuMicros: number;
      }) => {
        if (worker !== this.#worker) return;
        this.#idleCpuMicros = message.threadCpuMicros;
        if (message.type === "ready") this.#ready = true;
        else if (this.#running?.id === message.id)
          this.#finish({ type: "outcome", outcome: message.outcome as SandboxOutcome });
        this.#next();
      },
    );
    worker.on("error", (error) => this.#lost(worker, `the function's sandbox failed: ${error.message}`));
    worker.on("exit", (code) => this.#lost(worker, `the function's sandbox exited with code ${code}`));
  }

  #finish(reply: ThreadReply): void {
    const running = this.#running;
    if (!running) return;
    for (const timer of running.timers) clearTimeout(timer);
    this.#running = undefined;
    running.settle(reply);
  }

  /** Ends a run that went over a limit: its thread goes, and the next run gets a fresh one. */
  #stop(worker: Worker, reason: string): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    void worker.terminate();
    this.#finish({ type: "stopped", reason });
    this.#next();
  }

  /** A thread that dies fails its run; one that dies before it is ready fails every waiting run. */
  #lost(worker: Worker, reason: string): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    if (this.#ready) {
      this.#finish({ type: "stopped", reason });
      this.#next();
    } else this.#failAll(reason);
  }

  #failAll(reason: string): void {
    this.#finish({ type: "stopped", reason });
    for (const { settle } of this.#waiting.splice(0)) settle({ type: "stopped", reason });
  }
}
