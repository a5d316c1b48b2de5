// Lambda@Edge for the local edge: each function in its own workers (a crash or an endless loop costs one
// invocation, never the edge), Init and invocation timeouts, and CloudFront's validation of results.
import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import type {
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  LambdaEdgeConfig,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";
import { localAccountId } from "../config.ts";
import {
  functionVersion,
  homeRegion,
  lambdaEdgeEnvironment,
  logStreamName,
} from "./lambda-edge-environment.ts";
import { environmentPool } from "./lambda-edge-pool.ts";
import { type LambdaEdgeOutcome, validate } from "./lambda-edge-result.ts";
import type { LambdaEdgeContext } from "./lambda-edge-worker.ts";

export type { LambdaEdgeEventType } from "../../../edge/aws/lambda-edge-event.ts";
// The record conversions live beside the runtime; the edge's tests and bench reach them through it.
export {
  httpRequestFromLambda,
  httpResponseFromLambda,
  lambdaEdgeRequest,
  lambdaEdgeResponse,
} from "./lambda-edge-records.ts";

export interface LambdaEdgeSource {
  name: string;
  modulePath: string;
  exportName?: string;
  eventType: LambdaEdgeEventType;
  timeoutMs?: number;
  /** 128 MB is the viewer events' maximum and Lambda's default. */
  memoryMb?: number;
  /** At most this many execution environments at once (see lambda-edge-pool.ts's defaultConcurrency). */
  concurrency?: number;
}
export interface LambdaEdgeFunction {
  readonly name: string;
  readonly eventType: LambdaEdgeEventType;
  invoke(cf: {
    config: LambdaEdgeConfig;
    request: CloudFrontLambdaRequest;
    response?: CloudFrontLambdaResponse;
  }): Promise<LambdaEdgeOutcome>;
  close(): Promise<void>;
}

const isViewerEvent = (eventType: LambdaEdgeEventType) => eventType.startsWith("viewer");
// Lambda's Init phase is limited to 10 seconds; it is not part of an invocation's timeout.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
const initLimitMs = 10_000;

interface Running {
  id: number;
  resolve: (outcome: LambdaEdgeOutcome) => void;
  timer: NodeJS.Timeout;
}
interface Environment {
  worker: Worker;
  /** Resolves once Init is done: undefined, or why the environment could not start. */
  ready: Promise<string | undefined>;
  /** The invocation in progress, if any: an environment runs one at a time. */
  running: Map<number, Running>;
  context: Omit<LambdaEdgeContext, "awsRequestId" | "deadlineMs">;
}

export function startLambdaEdgeFunction(source: LambdaEdgeSource): LambdaEdgeFunction {
  const timeoutMs = source.timeoutMs ?? (isViewerEvent(source.eventType) ? 5000 : 30_000);
  const exportName = source.exportName ?? "handler";
  let nextId = 0;

  const fail = (of: Environment, reason: string) => {
    for (const entry of of.running.values()) {
      clearTimeout(entry.timer);
      entry.resolve({ type: "error", status: 503, reason });
    }
    of.running.clear();
    pool.remove(of);
  };
  const spawn = (): Environment => {
    const stream = logStreamName(new Date());
    const env = lambdaEdgeEnvironment(source, stream);
    const worker = new Worker(new URL("./lambda-edge-worker.ts", import.meta.url), {
      workerData: { modulePath: source.modulePath, exportName },
      env,
      stdout: false,
    });
    let settleReady: (failure: string | undefined) => void = () => {};
    const created: Environment = {
      worker,
      ready: new Promise((resolve) => {
        settleReady = resolve;
      }),
      running: new Map(),
      context: {
        functionName: env.AWS_LAMBDA_FUNCTION_NAME as string,
        functionVersion,
        invokedFunctionArn: `arn:aws:lambda:${homeRegion}:${localAccountId}:function:${source.name}:${functionVersion}`,
        memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE as string,
        logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME as string,
        logStreamName: stream,
      },
    };
    const initGuard = setTimeout(() => {
      const reason = `the function's Init phase did not finish within ${initLimitMs} ms`;
      fail(created, reason);
      settleReady(reason);
      void worker.terminate();
    }, initLimitMs);
    worker.on("message", (message: { type: "ready" } | { id: number; result?: unknown; error?: string }) => {
      if ("type" in message) {
        clearTimeout(initGuard);
        settleReady(undefined);
        return;
      }
      const entry = created.running.get(message.id);
      if (!entry) return;
      created.running.delete(message.id);
      if (created.running.size === 0) worker.unref();
      clearTimeout(entry.timer);
      entry.resolve(
        message.error !== undefined
          ? { type: "error", status: 503, reason: message.error }
          : { type: "request", request: message.result as CloudFrontLambdaRequest },
      );
    });
    const lost = (reason: string) => {
      clearTimeout(initGuard);
      fail(created, reason);
      settleReady(reason);
    };
    worker.on("error", (error) => lost(`the function crashed: ${error.message}`));
    worker.on("exit", (code) => lost(`the function's environment exited with code ${code}`));
    worker.unref();
    return created;
  };
  const pool = environmentPool(spawn, source.concurrency);

  const run = async (cf: Parameters<LambdaEdgeFunction["invoke"]>[0]): Promise<LambdaEdgeOutcome> => {
    const current = await pool.acquire();
    if (!current) return { type: "error", status: 503, reason: "the function was shut down" };
    try {
      return await invokeIn(current, cf);
    } finally {
      pool.release(current);
    }
  };

  const invokeIn = async (
    current: Environment,
    cf: Parameters<LambdaEdgeFunction["invoke"]>[0],
  ): Promise<LambdaEdgeOutcome> => {
    // The timeout starts once the environment is ready: its start-up is Lambda's Init, not the invocation.
    const failure = await current.ready;
    if (failure !== undefined) return { type: "error", status: 503, reason: failure };
    return new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        current.running.delete(id);
        fail(current, "the function's environment was stopped");
        void current.worker.terminate();
        resolve({ type: "error", status: 503, reason: `the function timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      current.running.set(id, { id, resolve, timer });
      // An environment with an invocation keeps the process alive; an idle one does not.
      current.worker.ref();
      const context: LambdaEdgeContext = {
        ...current.context,
        awsRequestId: randomUUID(),
        deadlineMs: Date.now() + timeoutMs,
      };
      current.worker.postMessage({ id, event: { Records: [{ cf }] }, context });
    });
  };

  return {
    name: source.name,
    eventType: source.eventType,
    async invoke(cf) {
      const outcome = await run(cf);
      if (outcome.type === "error") return outcome;
      return validate(source.eventType, cf, (outcome as { request: unknown }).request);
    },
    async close() {
      const all = pool.close((current) => fail(current, "the function was shut down"));
      await Promise.all(all.map((current) => current.worker.terminate()));
    },
  };
}
