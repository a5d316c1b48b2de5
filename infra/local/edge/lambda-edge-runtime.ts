// Lambda@Edge for the local edge: each function in its own workers (a crash or an endless loop costs one
// invocation, never the edge), the CloudFront event record shape, and CloudFront's validation of results.
import { randomBytes, randomUUID } from "node:crypto";
import { basename, extname } from "node:path";
import { Worker } from "node:worker_threads";
import type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  CloudFrontOrigin,
  LambdaEdgeConfig,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";
import { localAccountId } from "../config.ts";
import { capitaliseHeaderName } from "./header-rules.ts";
import { environmentPool } from "./lambda-edge-pool.ts";
import { exposedBody, type LambdaEdgeOutcome, replacementBody, validate } from "./lambda-edge-result.ts";
import type { LambdaEdgeContext } from "./lambda-edge-worker.ts";

export type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  LambdaEdgeConfig,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";
export type { LambdaEdgeOutcome } from "./lambda-edge-result.ts";
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
// The function's home Region: Lambda@Edge functions live in us-east-1 and their replicas keep the name.
const homeRegion = "us-east-1";
const functionVersion = "1";
// Lambda's Init phase is limited to 10 seconds; it is not part of an invocation's timeout.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
const initLimitMs = 10_000;

/**
 * What Lambda sets in a function's environment (Lambda@Edge allows no variables of your own). The keys
 * are Lambda's reserved ones plus LANG and PATH; the execution role's credentials are left out, as the
 * local edge has no role to give, so an AWS SDK call from a handler fails on credentials, not on a fake.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * The replica name and log group carry the "us-east-1." prefix Lambda@Edge gives them:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html
 */
export function lambdaEdgeEnvironment(
  source: LambdaEdgeSource,
  logStreamName: string,
): Record<string, string> {
  const module = basename(source.modulePath, extname(source.modulePath));
  return {
    _HANDLER: `${module}.${source.exportName ?? "handler"}`,
    AWS_REGION: homeRegion,
    AWS_DEFAULT_REGION: homeRegion,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: `${homeRegion}.${source.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(source.memoryMb ?? 128),
    AWS_LAMBDA_FUNCTION_VERSION: functionVersion,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${homeRegion}.${source.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
  };
}

/** A log stream is named for the day, the version and the execution environment. */
function logStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${functionVersion}]${randomBytes(16).toString("hex")}`;
}

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

type Pairs = [string, string][];

function toHeaders(pairs: Pairs): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  for (const [key, value] of pairs) {
    const name = key.toLowerCase();
    headers[name] = [...(headers[name] ?? []), { key, value }];
  }
  return headers;
}
const fromHeaders = (headers: CloudFrontHeaders | undefined): Pairs =>
  Object.entries(headers ?? {}).flatMap(([name, values]) =>
    values.map((entry) => [entry.key ?? capitaliseHeaderName(name), entry.value] as [string, string]),
  );

export function lambdaEdgeRequest(input: {
  method: string;
  uri: string;
  rawQuery: string;
  headers: Pairs;
  clientIp: string;
  origin?: CloudFrontOrigin;
  /** With Include Body: the viewer's body and the event it goes to, which sets how much is exposed. */
  body?: { bytes: Buffer; eventType: "viewer-request" | "origin-request" };
}): CloudFrontLambdaRequest {
  return {
    clientIp: input.clientIp,
    method: input.method,
    uri: input.uri,
    querystring: input.rawQuery,
    headers: toHeaders(input.headers),
    ...(input.body ? { body: exposedBody(input.body.bytes, input.body.eventType) } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

/** The request a function returns; `body` only when it replaced the viewer's. */
export function httpRequestFromLambda(request: CloudFrontLambdaRequest): {
  uri: string;
  rawQuery: string;
  headers: Pairs;
  body?: Buffer;
} {
  return {
    uri: request.uri,
    rawQuery: request.querystring,
    headers: fromHeaders(request.headers),
    ...(request.body?.action === "replace" ? { body: replacementBody(request.body) } : {}),
  };
}

export function lambdaEdgeResponse(input: {
  status: number;
  statusText: string;
  headers: Pairs;
}): CloudFrontLambdaResponse {
  return {
    status: String(input.status),
    statusDescription: input.statusText,
    headers: toHeaders(input.headers),
  };
}

export function httpResponseFromLambda(response: CloudFrontLambdaResponse): {
  status: number;
  statusText: string;
  headers: Pairs;
  body?: Buffer;
} {
  const body =
    response.body === undefined
      ? undefined
      : Buffer.from(response.body, response.bodyEncoding === "base64" ? "base64" : "utf8");
  return {
    status: Number(response.status),
    statusText: response.statusDescription ?? "",
    headers: fromHeaders(response.headers),
    ...(body ? { body } : {}),
  };
}
