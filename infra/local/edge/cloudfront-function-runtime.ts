// CloudFront Functions (cloudfront-js-2.0) for the local edge: each function in its own sandbox thread,
// judged by the CPU time it uses as CloudFront judges compute, and the event ⇄ HTTP conversions.

import { Script } from "node:vm";
import { Worker } from "node:worker_threads";
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CookieValue,
  FunctionValue,
} from "../../../edge/aws/cloudfront-function-event.ts";
import {
  type CloudFrontFunctionOutcome,
  functionQueryString,
  judgeResult,
} from "./cloudfront-function-result.ts";
import {
  FunctionCompileError,
  functionFactorySource,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxSource,
} from "./cloudfront-function-sandbox.ts";
import { capitaliseHeaderName } from "./header-rules.ts";
import { cookiePairs, queryPairs } from "./viewer-values.ts";

export type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
} from "../../../edge/aws/cloudfront-function-event.ts";
export type { CloudFrontFunctionOutcome } from "./cloudfront-function-result.ts";
export { FunctionCompileError } from "./cloudfront-function-sandbox.ts";

export interface CloudFrontFunctionSource {
  name: string;
  code: string;
  keyValueStore?: ReadonlyMap<string, string>;
  /** The distribution's origin ids, for the `cloudfront` module's origin helpers. */
  originIds?: readonly string[];
}
export interface CloudFrontFunctionLimits {
  /**
   * CPU time one run may use. CloudFront publishes compute utilisation as a share of an absolute budget
   * it does not document (aws-edge-facts.md A1); this one is generous and still stops a runaway.
   */
  computeBudgetMs: number;
  /** Wall-clock time after which a run that has not come back is stopped, whatever it is doing. */
  wallClockGuardMs: number;
}
export interface CloudFrontFunction {
  readonly name: string;
  run(event: CloudFrontFunctionEvent): Promise<CloudFrontFunctionOutcome>;
  /** Stops the function's sandbox thread; runs still waiting get a 503. */
  close(): Promise<void>;
}

const maxSourceBytes = 10 * 1024;
const maxLogBytes = 10 * 1024;
const defaultLimits: CloudFrontFunctionLimits = { computeBudgetMs: 50, wallClockGuardMs: 2000 };

export function compileCloudFrontFunction(
  source: CloudFrontFunctionSource,
  limits: Partial<CloudFrontFunctionLimits> = {},
): CloudFrontFunction {
  const size = Buffer.byteLength(source.code);
  if (size > maxSourceBytes)
    throw new FunctionCompileError(`${source.name} is ${size} bytes; the limit is 10 KB`);
  const factory = functionFactorySource(source.name, source.code);
  try {
    // Compiled here only to refuse bad source when the function is loaded; the sandbox compiles its own.
    new Script(factory, { filename: `${source.name}.js` });
  } catch (error) {
    throw new FunctionCompileError(`${source.name} does not compile: ${(error as Error).message}`);
  }
  const { computeBudgetMs, wallClockGuardMs } = { ...defaultLimits, ...limits };
  const thread = new SandboxThread(
    {
      name: source.name,
      code: source.code,
      ...(source.keyValueStore ? { keyValueStore: [...source.keyValueStore] } : {}),
      originIds: [...(source.originIds ?? [])],
    },
    computeBudgetMs * 1000,
    wallClockGuardMs,
  );
  return {
    name: source.name,
    async run(event) {
      const reply = await thread.submit({ event: JSON.stringify(event), eventType: event.context.eventType });
      if (reply.type === "stopped") return { type: "error", status: 503, reason: reply.reason, logs: [] };
      const { outcome } = reply;
      const logs = truncate(outcome.logs);
      if (outcome.computeMicros > computeBudgetMs * 1000)
        return {
          type: "error",
          status: 503,
          reason: overBudget(outcome.computeMicros, computeBudgetMs * 1000),
          logs,
        };
      if (outcome.error !== undefined) return { type: "error", status: 503, reason: outcome.error, logs };
      return judgeResult(event, JSON.parse(outcome.result ?? "null"), logs, outcome.origin);
    },
    close: () => thread.close(),
  };
}

const overBudget = (usedMicros: number, budgetMicros: number) =>
  `the function exceeded its compute budget: ${(usedMicros / 1000).toFixed(1)} ms of CPU, the budget is ${budgetMicros / 1000} ms`;

type ThreadReply = { type: "outcome"; outcome: SandboxOutcome } | { type: "stopped"; reason: string };
type Settle = (reply: ThreadReply) => void;
type Waiting = { run: Omit<SandboxRun, "startedAt">; settle: Settle };

// Node 24 reads a worker's CPU time from outside it, so a run that never comes back is stopped by the CPU
// it burns; without it only the wall-clock guard applies.
const canReadWorkerCpu = typeof (Worker.prototype as { cpuUsage?: unknown }).cpuUsage === "function";

/**
 * The thread a function runs in. Runs go one at a time and the clocks start when a run is handed to the
 * thread, so neither the thread's start-up nor a queue under load counts against a run.
 */
class SandboxThread {
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

function truncate(logs: string[]): string[] {
  const kept: string[] = [];
  let size = 0;
  for (const line of logs) {
    size += Buffer.byteLength(line);
    if (size > maxLogBytes) break;
    kept.push(line);
  }
  return kept;
}

// --- HTTP ⇄ event ---

type Pairs = [string, string][];

function collect(pairs: Pairs): Record<string, FunctionValue> {
  const map: Record<string, FunctionValue> = {};
  for (const [name, value] of pairs) {
    const existing = map[name];
    if (!existing) map[name] = { value };
    else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
  }
  return map;
}

/** The values that go on: `multiValue` when there is one (the runtime applied CloudFront's rule to it). */
function expand(map: Record<string, FunctionValue>): Pairs {
  return Object.entries(map).flatMap(([name, entry]) =>
    entry.multiValue && entry.multiValue.length > 0
      ? entry.multiValue.map((item) => [name, item.value] as [string, string])
      : [[name, entry.value] as [string, string]],
  );
}

export function viewerRequestEvent(input: {
  method: string;
  uri: string;
  rawQuery: string;
  headers: Pairs;
  viewerIp: string;
  context: { distributionDomainName: string; distributionId: string; requestId: string };
}): CloudFrontFunctionEvent {
  const query = queryPairs(input.rawQuery);
  const cookies = cookiePairs(input.headers);
  return {
    version: "1.0",
    context: { ...input.context, eventType: "viewer-request" },
    viewer: { ip: input.viewerIp },
    request: {
      method: input.method,
      uri: input.uri,
      querystring: collect(query),
      headers: collect(
        input.headers
          .filter(([name]) => name.toLowerCase() !== "cookie")
          .map(([n, v]) => [n.toLowerCase(), v]),
      ),
      cookies: collect(cookies),
    },
  };
}

export function viewerResponseEvent(
  requestEvent: CloudFrontFunctionEvent,
  response: { status: number; statusText: string; headers: Pairs },
): CloudFrontFunctionEvent {
  const setCookies = response.headers.filter(([name]) => name.toLowerCase() === "set-cookie");
  const cookies: Record<string, CookieValue> = {};
  for (const [, line] of setCookies) {
    const [pair = "", ...attributes] = line.split(";");
    const equals = pair.indexOf("=");
    const name = (equals === -1 ? pair : pair.slice(0, equals)).trim();
    const value = equals === -1 ? "" : pair.slice(equals + 1).trim();
    const entry = { value, attributes: attributes.map((a) => a.trim()).join("; ") };
    const existing = cookies[name];
    if (!existing) cookies[name] = entry;
    else existing.multiValue = [...(existing.multiValue ?? [{ ...existing }]), entry];
  }
  return {
    ...requestEvent,
    context: { ...requestEvent.context, eventType: "viewer-response" },
    response: {
      statusCode: response.status,
      statusDescription: response.statusText,
      headers: collect(
        response.headers
          .filter(([name]) => name.toLowerCase() !== "set-cookie")
          .map(([n, v]) => [n.toLowerCase(), v]),
      ),
      cookies,
    },
  };
}

export function httpRequestFromFunction(request: CloudFrontFunctionRequest): {
  uri: string;
  rawQuery: string;
  headers: Pairs;
} {
  const cookies = expand(request.cookies ?? {});
  return {
    uri: request.uri,
    rawQuery: functionQueryString(request.querystring),
    headers: [
      ...expand(request.headers ?? {}),
      ...(cookies.length > 0
        ? [["cookie", cookies.map(([n, v]) => `${n}=${v}`).join("; ")] as [string, string]]
        : []),
    ],
  };
}

export function httpResponseFromFunction(response: CloudFrontFunctionResponse): {
  status: number;
  statusText: string;
  headers: Pairs;
  body?: Buffer;
} {
  const headers: Pairs = expand(response.headers ?? {}).map(([name, value]) => [
    capitaliseHeaderName(name),
    value,
  ]);
  for (const [name, cookie] of Object.entries(response.cookies ?? {})) {
    const items = cookie.multiValue && cookie.multiValue.length > 0 ? cookie.multiValue : [cookie];
    for (const item of items)
      headers.push([
        "Set-Cookie",
        `${name}=${item.value}${"attributes" in item && item.attributes ? `; ${item.attributes}` : ""}`,
      ]);
  }
  const body =
    response.body === undefined
      ? undefined
      : typeof response.body === "string"
        ? Buffer.from(response.body)
        : Buffer.from(response.body.data, response.body.encoding === "base64" ? "base64" : "utf8");
  return {
    status: response.statusCode,
    statusText: response.statusDescription ?? "",
    headers,
    ...(body ? { body } : {}),
  };
}
