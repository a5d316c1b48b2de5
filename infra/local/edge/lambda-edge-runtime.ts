// Lambda@Edge for the local edge: each function in its own worker (a crash or an endless loop costs one
// invocation, never the edge), the CloudFront event record shape, and CloudFront's validation of results.
import { Worker } from "node:worker_threads";
import type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  CloudFrontOrigin,
  LambdaEdgeConfig,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";

export type {
  CloudFrontHeaders,
  CloudFrontLambdaRequest,
  CloudFrontLambdaResponse,
  LambdaEdgeConfig,
  LambdaEdgeEventType,
} from "../../../edge/aws/lambda-edge-event.ts";
export interface LambdaEdgeSource {
  name: string;
  modulePath: string;
  exportName?: string;
  eventType: LambdaEdgeEventType;
  timeoutMs?: number;
}
export type LambdaEdgeOutcome =
  | { type: "request"; request: CloudFrontLambdaRequest }
  | { type: "response"; response: CloudFrontLambdaResponse }
  | { type: "error"; status: 502 | 503; reason: string };
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
const disallowed =
  /^(connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|upgrade|x-accel-buffering|x-accel-charset|x-accel-limit-rate|x-accel-redirect|x-amz-cf-.*|x-amzn-auth|x-amzn-cf-billing|x-amzn-cf-id|x-amzn-cf-xff|x-amzn-errortype|x-amzn-fle-profile|x-amzn-header-count|x-amzn-header-order|x-amzn-lambda-integration-tag|x-amzn-requestid|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip)$/;
const readOnly: Record<LambdaEdgeEventType, Set<string>> = {
  "viewer-request": new Set(["content-length", "host", "transfer-encoding", "via"]),
  "origin-request": new Set([
    "accept-encoding",
    "content-length",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "transfer-encoding",
    "via",
  ]),
  "origin-response": new Set(["transfer-encoding", "via"]),
  "viewer-response": new Set(["warning", "via"]),
};

interface Pending {
  resolve: (outcome: LambdaEdgeOutcome) => void;
  timer: NodeJS.Timeout;
  /** The worker running it: a dying worker fails only its own invocations. */
  worker: Worker;
}

export function startLambdaEdgeFunction(source: LambdaEdgeSource): LambdaEdgeFunction {
  const timeoutMs = source.timeoutMs ?? (isViewerEvent(source.eventType) ? 5000 : 30_000);
  const exportName = source.exportName ?? "handler";
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  let queue: Promise<unknown> = Promise.resolve();

  const failAll = (reason: string, of?: Worker) => {
    for (const [id, entry] of pending) {
      if (of && entry.worker !== of) continue;
      clearTimeout(entry.timer);
      entry.resolve({ type: "error", status: 503, reason });
      pending.delete(id);
    }
  };
  const spawn = (): Worker => {
    const created = new Worker(new URL("./lambda-edge-worker.ts", import.meta.url), {
      workerData: { modulePath: source.modulePath, exportName },
      // Lambda@Edge has no environment variables.
      env: {},
      stdout: false,
    });
    created.on("message", (message: { id: number; result?: unknown; error?: string }) => {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      entry.resolve(
        message.error !== undefined
          ? { type: "error", status: 503, reason: message.error }
          : { type: "request", request: message.result as CloudFrontLambdaRequest },
      );
    });
    created.on("error", (error) => {
      if (worker === created) worker = undefined;
      failAll(`the function crashed: ${error.message}`, created);
    });
    created.on("exit", (code) => {
      if (worker === created) worker = undefined;
      failAll(`the function's environment exited with code ${code}`, created);
    });
    created.unref();
    return created;
  };

  const run = (cf: Parameters<LambdaEdgeFunction["invoke"]>[0]) =>
    new Promise<unknown>((resolve) => {
      worker ??= spawn();
      const current = worker;
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        if (worker === current) worker = undefined;
        void current.terminate();
        resolve({ type: "error", status: 503, reason: `the function timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      pending.set(id, { resolve: (outcome) => resolve(outcome), timer, worker: current });
      current.postMessage({ id, event: { Records: [{ cf }] } });
    });

  return {
    name: source.name,
    eventType: source.eventType,
    invoke(cf) {
      const result = queue
        .then(() => run(cf))
        .then((raw) => {
          const outcome = raw as LambdaEdgeOutcome;
          if (outcome.type === "error") return outcome;
          return validate(source.eventType, cf, (outcome as { request: unknown }).request);
        });
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      const current = worker;
      worker = undefined;
      failAll("the function was shut down");
      await current?.terminate();
    },
  };
}

function headerProblem(
  eventType: LambdaEdgeEventType,
  before: CloudFrontHeaders,
  after: CloudFrontHeaders | undefined,
): string | undefined {
  for (const [name, values] of Object.entries(after ?? {})) {
    if (name !== name.toLowerCase()) return `header map key ${name} must be lowercase`;
    if (disallowed.test(name)) return `header ${name} cannot be added`;
    if (eventType === "viewer-request" && name.startsWith("cloudfront-viewer-"))
      return `header ${name} cannot be added in viewer-request`;
    if (!Array.isArray(values)) return `header ${name} must be an array of {key, value}`;
    for (const entry of values) {
      if (entry.key !== undefined && entry.key.toLowerCase() !== name)
        return `header key ${entry.key} does not match ${name}`;
      if (typeof entry.value !== "string") return `header ${name} needs a string value`;
    }
    if (
      readOnly[eventType].has(name) &&
      JSON.stringify(values.map((v) => v.value)) !== JSON.stringify((before[name] ?? []).map((v) => v.value))
    )
      return `header ${name} is read-only in ${eventType}`;
  }
  for (const name of Object.keys(before))
    if (readOnly[eventType].has(name) && !(after && name in after))
      return `header ${name} is read-only in ${eventType}`;
  return undefined;
}

function validate(
  eventType: LambdaEdgeEventType,
  cf: { request: CloudFrontLambdaRequest; response?: CloudFrontLambdaResponse },
  result: unknown,
): LambdaEdgeOutcome {
  const invalid = (reason: string): LambdaEdgeOutcome => ({ type: "error", status: 502, reason });
  if (result === undefined || result === null || typeof result !== "object")
    return { type: "error", status: 503, reason: "the handler returned nothing" };
  const object = result as Record<string, unknown>;
  if ("status" in object) {
    const response = object as unknown as CloudFrontLambdaResponse;
    const status = Number(response.status);
    if (!Number.isInteger(status) || status < 200 || status > 599)
      return invalid(`status ${String(response.status)} is outside 200–599`);
    if (eventType === "viewer-response" && String(status) !== String(cf.response?.status))
      return invalid("viewer-response cannot change the status");
    const before = eventType.endsWith("response") ? (cf.response?.headers ?? {}) : {};
    const problem = headerProblem(eventType, before, response.headers);
    if (problem) return invalid(problem);
    if (
      response.bodyEncoding === "base64" &&
      response.body !== undefined &&
      !/^[A-Za-z0-9+/]*={0,2}$/.test(response.body)
    )
      return invalid("body is not valid base64");
    if (response.body !== undefined && typeof response.body !== "string")
      return invalid("body must be a string");
    if (eventType === "viewer-request" && status === 204 && response.body)
      return invalid("a 204 cannot carry a body");
    if (eventType.endsWith("request")) {
      const size =
        Buffer.byteLength(JSON.stringify(response.headers ?? {})) + Buffer.byteLength(response.body ?? "");
      const limit = eventType === "viewer-request" ? 40 * 1024 : 1024 * 1024;
      if (size > limit)
        return invalid(`the generated response is ${size} bytes; the ${eventType} limit is ${limit}`);
    }
    return { type: "response", response: withKeys(response) };
  }
  if (eventType.endsWith("response")) return invalid(`${eventType} must return the response`);
  const request = object as unknown as CloudFrontLambdaRequest;
  if (request.method !== cf.request.method) return invalid("request.method is read-only");
  if (request.clientIp !== cf.request.clientIp) return invalid("request.clientIp is read-only");
  if (typeof request.uri !== "string" || !request.uri.startsWith("/"))
    return invalid("request.uri must start with /");
  const problem = headerProblem(eventType, cf.request.headers, request.headers);
  if (problem) return invalid(problem);
  return { type: "request", request: withKeys(request) };
}

const capitalise = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

function withKeys<T extends { headers?: CloudFrontHeaders }>(value: T): T {
  if (!value.headers) return value;
  const headers: CloudFrontHeaders = {};
  for (const [name, values] of Object.entries(value.headers))
    headers[name] = values.map((entry) => ({ key: entry.key ?? capitalise(name), value: entry.value }));
  return { ...value, headers };
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
    values.map((entry) => [entry.key ?? capitalise(name), entry.value] as [string, string]),
  );

export function lambdaEdgeRequest(input: {
  method: string;
  uri: string;
  rawQuery: string;
  headers: Pairs;
  clientIp: string;
  origin?: CloudFrontOrigin;
}): CloudFrontLambdaRequest {
  return {
    clientIp: input.clientIp,
    method: input.method,
    uri: input.uri,
    querystring: input.rawQuery,
    headers: toHeaders(input.headers),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

export function httpRequestFromLambda(request: CloudFrontLambdaRequest): {
  uri: string;
  rawQuery: string;
  headers: Pairs;
} {
  return { uri: request.uri, rawQuery: request.querystring, headers: fromHeaders(request.headers) };
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
