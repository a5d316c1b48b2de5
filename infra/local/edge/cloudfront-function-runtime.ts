// CloudFront Functions (cloudfront-js-2.0) for the local edge: a node:vm sandbox with the documented
// runtime only, the event/result conversions, and CloudFront's validation of what a function returns.
import { createHash, createHmac } from "node:crypto";
import * as querystring from "node:querystring";
import { createContext, Script } from "node:vm";
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CookieValue,
  FunctionValue,
} from "../../../edge/aws/cloudfront-function-event.ts";
import { cookiePairs, queryPairs } from "./viewer-values.ts";

export type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
} from "../../../edge/aws/cloudfront-function-event.ts";
export interface CloudFrontFunctionSource {
  name: string;
  code: string;
  keyValueStore?: ReadonlyMap<string, string>;
}
export class FunctionCompileError extends Error {}
export type CloudFrontFunctionOutcome =
  | { type: "request"; request: CloudFrontFunctionRequest; logs: string[] }
  | { type: "response"; response: CloudFrontFunctionResponse; logs: string[] }
  | { type: "error"; status: 502 | 503; reason: string; logs: string[] };
export interface CloudFrontFunction {
  readonly name: string;
  run(event: CloudFrontFunctionEvent): Promise<CloudFrontFunctionOutcome>;
}

const maxSourceBytes = 10 * 1024;
// CloudFront does not publish the absolute compute budget; this generous local one still stops loops.
const computeBudgetMs = 50;
const maxLogBytes = 10 * 1024;
const disallowed =
  /^(connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|upgrade|x-accel-buffering|x-accel-charset|x-accel-limit-rate|x-accel-redirect|x-amz-cf-.*|x-amzn-auth|x-amzn-cf-billing|x-amzn-cf-id|x-amzn-cf-xff|x-amzn-errortype|x-amzn-fle-profile|x-amzn-header-count|x-amzn-header-order|x-amzn-lambda-integration-tag|x-amzn-requestid|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip)$/;
const readOnly = {
  "viewer-request": new Set(["content-length", "host", "transfer-encoding", "via"]),
  "viewer-response": new Set(["warning", "via"]),
} as const;

// Runs inside the context: builds the module table and the frozen clock from host primitives passed in
// as plain data and functions that only take and return strings, so no host object leaks in.
const prelude = `
"use strict";
(function (host) {
  const startedAt = host.startedAt;
  globalThis.btoa = (text) => host.convert(String(text), "latin1", "base64");
  globalThis.atob = (text) => host.convert(String(text), "base64", "latin1");
  const fromHex = (hex) => new Uint8Array((hex.match(/../g) || []).map((pair) => parseInt(pair, 16)));
  const toHex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  class Buffer extends Uint8Array {
    static from(value, encoding) {
      if (typeof value === "string") return Buffer.of(...fromHex(host.convert(value, encoding || "utf8", "hex")));
      return Buffer.of(...value);
    }
    static alloc(size, fill) { const buffer = new Buffer(size); if (fill !== undefined) buffer.fill(typeof fill === "number" ? fill : 0); return buffer; }
    static allocUnsafe(size) { return new Buffer(size); }
    static byteLength(value, encoding) { return typeof value === "string" ? Buffer.from(value, encoding).length : value.length; }
    static concat(list) { return Buffer.of(...list.flatMap((item) => Array.from(item))); }
    static isBuffer(value) { return value instanceof Buffer; }
    static isEncoding(encoding) { return ["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii"].includes(String(encoding).toLowerCase()); }
    static compare(a, b) { const x = toHex(a), y = toHex(b); return x === y ? 0 : x < y ? -1 : 1; }
    toString(encoding) { return host.convert(toHex(this), "hex", encoding || "utf8"); }
    equals(other) { return Buffer.compare(this, other) === 0; }
  }
  globalThis.Buffer = Buffer;
  const RealDate = Date;
  function FrozenDate(...args) {
    if (!new.target) return new RealDate(startedAt).toString();
    return args.length === 0 ? new RealDate(startedAt) : new RealDate(...args);
  }
  FrozenDate.now = () => startedAt;
  FrozenDate.parse = RealDate.parse;
  FrozenDate.UTC = RealDate.UTC;
  FrozenDate.prototype = RealDate.prototype;
  globalThis.Date = FrozenDate;
  const logs = [];
  globalThis.console = { log: (message) => { logs.push(String(message)); } };
  function digestWith(kind, algorithm, key) {
    if (!["md5", "sha1", "sha256"].includes(algorithm)) throw new Error("Unsupported algorithm: " + algorithm);
    const parts = [];
    return {
      update(data) { parts.push(typeof data === "string" ? data : String(data)); return this; },
      digest(encoding) {
        const hex = host.digest(kind, algorithm, key === undefined ? "" : String(key), parts.join(""));
        if (encoding === "hex") return hex;
        if (encoding === "base64" || encoding === "base64url") return host.convert(hex, "hex", encoding);
        // Runtime 2.0: digest() with no encoding returns a Buffer.
        return Buffer.from(hex, "hex");
      },
    };
  }
  const crypto = {
    createHash: (algorithm) => digestWith("hash", algorithm),
    createHmac: (algorithm, key) => digestWith("hmac", algorithm, key),
  };
  const querystring = {
    parse: (text) => JSON.parse(host.queryParse(String(text))),
    decode: (text) => JSON.parse(host.queryParse(String(text))),
    stringify: (value) => host.queryStringify(JSON.stringify(value)),
    encode: (value) => host.queryStringify(JSON.stringify(value)),
    escape: (text) => host.queryEscape(String(text)),
    unescape: (text) => host.queryUnescape(String(text)),
  };
  const cloudfront = {
    kvs() {
      if (!host.hasStore) throw new Error("No KeyValueStore is associated with this function");
      return {
        async get(key, options) {
          const value = host.storeGet(String(key));
          if (value === undefined) throw new Error("Key not found: " + key);
          const format = options && options.format ? options.format : "string";
          if (format === "json") return JSON.parse(value);
          if (format === "bytes") return new TextEncoder().encode(value);
          return value;
        },
        async exists(key) { return host.storeGet(String(key)) !== undefined; },
        async meta() { return JSON.parse(host.storeMeta()); },
      };
    },
  };
  const modules = { crypto, querystring, cloudfront, buffer: { Buffer } };
  globalThis.require = (name) => {
    if (!Object.prototype.hasOwnProperty.call(modules, name)) throw new Error("Cannot find module '" + name + "'");
    return modules[name];
  };
  return logs;
})`;

function rewriteImports(code: string): string {
  if (/^\s*export\s/m.test(code))
    throw new FunctionCompileError("export statements are not supported in CloudFront Functions");
  return code.replace(
    /^\s*import\s+(\w+)\s+from\s+["']([\w-]+)["'];?/gm,
    (_match, name: string, module: string) => `const ${name} = require("${module}");`,
  );
}

export function compileCloudFrontFunction(source: CloudFrontFunctionSource): CloudFrontFunction {
  if (Buffer.byteLength(source.code) > maxSourceBytes)
    throw new FunctionCompileError(
      `${source.name} is ${Buffer.byteLength(source.code)} bytes; the limit is 10 KB`,
    );
  let script: Script;
  try {
    script = new Script(
      `"use strict";\n${rewriteImports(source.code)}\n;typeof handler === "function" ? handler : undefined`,
      {
        filename: `${source.name}.js`,
      },
    );
  } catch (error) {
    throw new FunctionCompileError(`${source.name} does not compile: ${(error as Error).message}`);
  }
  const store = source.keyValueStore;
  return {
    name: source.name,
    async run(event) {
      const startedAt = Date.now();
      const context = createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
      let logs: string[] = [];
      const fail = (status: 502 | 503, reason: string): CloudFrontFunctionOutcome => ({
        type: "error",
        status,
        reason,
        logs: truncate(logs),
      });
      try {
        const install = new Script(prelude).runInContext(context) as (host: unknown) => string[];
        logs = install(hostBridge(startedAt, store));
        // Remove what the runtime does not offer; the context's own intrinsics stay (Promise, JSON…).
        new Script(
          `for (const name of ["eval","WebAssembly","SharedArrayBuffer","Atomics","setTimeout","setInterval","setImmediate","queueMicrotask","fetch"]) { try { delete globalThis[name]; } catch {} }
           Object.defineProperty(Function.prototype, "constructor", { value: undefined });
           Object.defineProperty(Object.getPrototypeOf(async function () {}), "constructor", { value: undefined });`,
        ).runInContext(context);
        const handler = script.runInContext(context, { timeout: computeBudgetMs }) as
          | ((event: unknown) => unknown)
          | undefined;
        if (typeof handler !== "function") return fail(503, "the function defines no handler(event)");
        // The call itself runs under the compute budget too: an endless handler is stopped, not awaited.
        (context as Record<string, unknown>).__goodgreetsInput = JSON.stringify(event);
        const returned = new Script(
          "(function (input) { delete globalThis.__goodgreetsInput; return handler(JSON.parse(input)); })(globalThis.__goodgreetsInput)",
        ).runInContext(context, { timeout: computeBudgetMs });
        const settled = await Promise.race([
          Promise.resolve(returned),
          new Promise((_resolve, reject) =>
            setTimeout(() => reject(new Error("compute budget exceeded")), 1000),
          ),
        ]);
        const result = JSON.parse(JSON.stringify(settled ?? null)) as unknown;
        return validate(event, result, truncate(logs));
      } catch (error) {
        return fail(503, error instanceof Error ? error.message : String(error));
      }
    },
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

function hostBridge(startedAt: number, store: ReadonlyMap<string, string> | undefined) {
  // Only strings and numbers cross this bridge: functions defined here are called with primitives and
  // return primitives, so sandboxed code cannot reach a host object through them.
  return Object.freeze({
    startedAt,
    hasStore: store !== undefined,
    convert: (text: string, from: string, to: string) =>
      Buffer.from(text, from as BufferEncoding).toString(to as BufferEncoding),
    digest: (kind: string, algorithm: string, key: string, data: string) =>
      (kind === "hmac" ? createHmac(algorithm, key) : createHash(algorithm)).update(data).digest("hex"),
    queryParse: (text: string) => JSON.stringify({ ...querystring.parse(text) }),
    queryStringify: (json: string) => querystring.stringify(JSON.parse(json)),
    queryEscape: (text: string) => querystring.escape(text),
    queryUnescape: (text: string) => querystring.unescape(text),
    storeGet: (key: string) => store?.get(key),
    storeMeta: () =>
      JSON.stringify({
        creationDateTime: new Date(0).toISOString(),
        lastUpdatedDateTime: new Date(0).toISOString(),
        keyCount: store?.size ?? 0,
      }),
  });
}

type Failure = { type: "error"; status: 502; reason: string; logs: string[] };

function headerProblems(
  eventType: "viewer-request" | "viewer-response",
  before: Record<string, FunctionValue> | undefined,
  after: Record<string, FunctionValue> | undefined,
): string | undefined {
  for (const [name, value] of Object.entries(after ?? {})) {
    if (name !== name.toLowerCase()) return `header names must be lowercase: ${name}`;
    if (disallowed.test(name)) return `header ${name} cannot be added`;
    if (readOnly[eventType].has(name) && JSON.stringify(value) !== JSON.stringify(before?.[name]))
      return `header ${name} is read-only in ${eventType}`;
    if (!value || typeof value.value !== "string") return `header ${name} has no string value`;
  }
  for (const name of Object.keys(before ?? {}))
    if (readOnly[eventType].has(name) && !(after && name in after))
      return `header ${name} is read-only in ${eventType}`;
  return undefined;
}

function validate(
  event: CloudFrontFunctionEvent,
  result: unknown,
  logs: string[],
): CloudFrontFunctionOutcome {
  const invalid = (reason: string): Failure => ({ type: "error", status: 502, reason, logs });
  const eventType = event.context.eventType;
  if (!result || typeof result !== "object") return invalid("the handler returned no request or response");
  const object = result as Record<string, unknown>;
  if ("statusCode" in object) {
    const response = object as unknown as CloudFrontFunctionResponse;
    if (!Number.isInteger(response.statusCode) || response.statusCode < 100 || response.statusCode > 599)
      return invalid(`statusCode must be an integer status, got ${JSON.stringify(response.statusCode)}`);
    const problem = headerProblems(
      eventType,
      eventType === "viewer-response" ? event.response?.headers : {},
      response.headers,
    );
    if (problem) return invalid(problem);
    if (typeof response.body === "object" && response.body !== null) {
      if (response.body.encoding === "base64" && !/^[A-Za-z0-9+/]*={0,2}$/.test(response.body.data))
        return invalid("body is not valid base64");
    }
    return { type: "response", response, logs };
  }
  if (eventType === "viewer-response") return invalid("a viewer-response function must return the response");
  const request = object as unknown as CloudFrontFunctionRequest;
  if (request.method !== event.request.method) return invalid("request.method is read-only");
  if (typeof request.uri !== "string" || !request.uri.startsWith("/") || request.uri.length >= 8192)
    return invalid(`request.uri must start with / and be shorter than 8192 characters`);
  const problem = headerProblems("viewer-request", event.request.headers, request.headers);
  if (problem) return invalid(problem);
  const query =
    typeof request.querystring === "string" ? request.querystring : queryString(request.querystring ?? {});
  // Spaces, "#" and control characters (code points below 0x20) are refused in a query string.
  if ([...query].some((character) => character <= " " || character === "#" || character === "\u007f"))
    return invalid("query strings cannot hold spaces, control characters or #");
  return { type: "request", request, logs };
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

/** Applies CloudFront's multiValue rule: a present multiValue wins, else the (possibly changed) value. */
function expand(map: Record<string, FunctionValue>): Pairs {
  return Object.entries(map).flatMap(([name, entry]) =>
    entry.multiValue && entry.multiValue.length > 0
      ? entry.multiValue.map((item) => [name, item.value] as [string, string])
      : [[name, entry.value] as [string, string]],
  );
}

function queryString(map: Record<string, FunctionValue>): string {
  return expand(map)
    .map(([name, value]) => (value === "" ? name : `${name}=${value}`))
    .join("&");
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
    rawQuery:
      typeof request.querystring === "string"
        ? request.querystring.replace(/^\?/, "")
        : queryString(request.querystring ?? {}),
    headers: [
      ...expand(request.headers ?? {}),
      ...(cookies.length > 0
        ? [["cookie", cookies.map(([n, v]) => `${n}=${v}`).join("; ")] as [string, string]]
        : []),
    ],
  };
}

/** CloudFront capitalises each hyphen-separated word of a header name on the way out. */
const capitalise = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

export function httpResponseFromFunction(response: CloudFrontFunctionResponse): {
  status: number;
  statusText: string;
  headers: Pairs;
  body?: Buffer;
} {
  const headers: Pairs = expand(response.headers ?? {}).map(([name, value]) => [capitalise(name), value]);
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
