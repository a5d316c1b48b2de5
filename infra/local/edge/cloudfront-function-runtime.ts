// CloudFront Functions (cloudfront-js-2.0) for the local edge: each function compiled once and run in its own
// sandbox thread (cloudfront-function-thread.ts), judged by the CPU time it uses as CloudFront judges compute.

import { Script } from "node:vm";
import type { CloudFrontFunctionEvent } from "../../../edge/aws/cloudfront-function-event.ts";
import { type CloudFrontFunctionOutcome, judgeResult } from "./cloudfront-function-result.ts";
import { FunctionCompileError, functionFactorySource } from "./cloudfront-function-sandbox.ts";
import { overBudget, SandboxThread } from "./cloudfront-function-thread.ts";

export type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
} from "../../../edge/aws/cloudfront-function-event.ts";
// The event conversions live beside the runtime; the edge's tests reach them through it.
export {
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
  viewerResponseEvent,
} from "./cloudfront-function-events.ts";
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
