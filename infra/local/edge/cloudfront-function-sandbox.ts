// One CloudFront Function's sandbox: a node:vm context prepared once with the cloudfront-js-2.0 runtime
// and reused run after run, each run measured in the CPU time of the thread that runs it.
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import * as querystring from "node:querystring";
import { constants, createContext, Script } from "node:vm";
import { type FunctionOriginOverride, OriginOverrideBuilder } from "./cloudfront-origin-helpers.ts";

export class FunctionCompileError extends Error {}

export interface SandboxSource {
  name: string;
  code: string;
  keyValueStore?: [string, string][];
  /** The distribution's origin ids, which `selectRequestOriginById` may name. */
  originIds: string[];
}
export interface SandboxRun {
  /** The event as JSON: parsed inside the context, so its objects are the context's own. */
  event: string;
  eventType: "viewer-request" | "viewer-response";
  startedAt: number;
}
export interface SandboxOutcome {
  /** The handler's result as JSON, or why the run failed. */
  result?: string;
  error?: string;
  logs: string[];
  origin?: FunctionOriginOverride;
  /** CPU time of this thread during the run: what CloudFront's compute utilisation measures. */
  computeMicros: number;
}

const prelude = new Script(
  readFileSync(new URL("./cloudfront-function-prelude.js", import.meta.url), "utf8"),
  {
    filename: "cloudfront-js-2.0-runtime.js",
  },
);
// Evaluating any script drains the context's own microtask queue (microtaskMode "afterEvaluate").
const drain = new Script("");

/**
 * The function's source as a factory: each run calls it, so top-level bindings start afresh every run.
 * `import x from 'module'` (as AWS's samples write it) becomes a require of the runtime's modules.
 */
export function functionFactorySource(name: string, code: string): string {
  if (/^\s*export\s/m.test(code))
    throw new FunctionCompileError(`${name}: export statements are not supported in CloudFront Functions`);
  const body = code.replace(
    /^\s*import\s+(\w+)\s+from\s+["']([\w-]+)["'];?/gm,
    (_match, binding: string, module: string) => `const ${binding} = require("${module}");`,
  );
  return `(function () {\n"use strict";\n${body}\n;return typeof handler === "function" ? handler : undefined;\n})`;
}

interface RunControls {
  start(
    factory: unknown,
    event: string,
    startedAt: number,
  ): () => { result?: string; error?: string; logs: string[] };
}
interface Prepared {
  context: object;
  controls: RunControls;
  factory: unknown;
  globals: ReadonlySet<string | symbol>;
}

export class CloudFrontFunctionSandbox {
  readonly #source: SandboxSource;
  readonly #factorySource: string;
  readonly #store: ReadonlyMap<string, string> | undefined;
  #prepared: Prepared | undefined;
  #origin: OriginOverrideBuilder | undefined;
  #failure = "";

  constructor(source: SandboxSource) {
    this.#source = source;
    this.#factorySource = functionFactorySource(source.name, source.code);
    this.#store = source.keyValueStore ? new Map(source.keyValueStore) : undefined;
  }

  /** Builds the context now rather than on the first run. */
  prepare(): void {
    this.#prepared ??= this.#prepare();
  }

  run(run: SandboxRun): SandboxOutcome {
    this.prepare();
    const prepared = this.#prepared as Prepared;
    this.#origin =
      run.eventType === "viewer-request" ? new OriginOverrideBuilder(this.#source.originIds) : undefined;
    const before = process.threadCpuUsage();
    const read = prepared.controls.start(prepared.factory, run.event, run.startedAt);
    drain.runInContext(prepared.context);
    const finished = read();
    const used = process.threadCpuUsage(before);
    const origin = this.#origin?.result();
    this.#origin = undefined;
    this.#restoreGlobals(prepared);
    return {
      ...(typeof finished.result === "string" ? { result: finished.result } : {}),
      ...(finished.error !== undefined ? { error: String(finished.error) } : {}),
      logs: Array.from(finished.logs, String),
      ...(origin ? { origin } : {}),
      computeMicros: used.user + used.system,
    };
  }

  #prepare(): Prepared {
    const context = createContext(constants.DONT_CONTEXTIFY, {
      name: this.#source.name,
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: "afterEvaluate",
    });
    const install = prelude.runInContext(context) as (host: object) => RunControls;
    const controls = install(this.#bridge());
    let factory: unknown;
    try {
      factory = new Script(this.#factorySource, { filename: `${this.#source.name}.js` }).runInContext(
        context,
      );
    } catch (error) {
      throw new FunctionCompileError(`${this.#source.name} does not compile: ${(error as Error).message}`);
    }
    return { context, controls, factory, globals: new Set(Reflect.ownKeys(context)) };
  }

  /** A run may add globals (the built-ins are frozen); they go before the next run, else the context does. */
  #restoreGlobals(prepared: Prepared): void {
    const keys = Reflect.ownKeys(prepared.context);
    if (keys.length === prepared.globals.size) return;
    for (const key of keys)
      if (!prepared.globals.has(key) && !Reflect.deleteProperty(prepared.context, key)) {
        this.#prepared = undefined;
        return;
      }
  }

  // Only strings cross in (the prelude converts every argument) and only strings or undefined come back:
  // a host error thrown into the context would hand function code this realm's constructors.
  #bridge(): object {
    const store = this.#store;
    const guarded =
      <A extends string[]>(work: (...args: A) => string) =>
      (...args: A): string | undefined => {
        try {
          return work(...args);
        } catch (error) {
          this.#failure = error instanceof Error ? error.message : String(error);
          return undefined;
        }
      };
    return Object.freeze({
      hasStore: store !== undefined,
      failure: () => this.#failure,
      convert: guarded((text: string, from: string, to: string) => {
        if (!Buffer.isEncoding(from) || !Buffer.isEncoding(to)) throw new Error(`Unknown encoding: ${from}`);
        return Buffer.from(text, from).toString(to);
      }),
      digest: guarded((kind: string, algorithm: string, keyHex: string, dataHex: string) =>
        (kind === "hmac" ? createHmac(algorithm, Buffer.from(keyHex, "hex")) : createHash(algorithm))
          .update(Buffer.from(dataHex, "hex"))
          .digest("hex"),
      ),
      queryParse: guarded((text: string) => JSON.stringify({ ...querystring.parse(text) })),
      queryStringify: guarded((json: string) => querystring.stringify(JSON.parse(json))),
      queryEscape: guarded((text: string) => querystring.escape(text)),
      queryUnescape: guarded((text: string) => querystring.unescape(text)),
      origin: guarded((helper: string, json: string) => {
        const origin = this.#origin;
        if (!origin) throw new Error(`cf.${helper}() is only available in viewer-request functions`);
        const argument: unknown = JSON.parse(json);
        if (helper === "updateRequestOrigin") origin.updateRequestOrigin(argument);
        else if (helper === "selectRequestOriginById") origin.selectRequestOriginById(argument);
        else origin.createRequestOriginGroup(argument);
        return "";
      }),
      storeGet: (key: string) => store?.get(String(key)),
      storeMeta: () =>
        JSON.stringify({
          creationDateTime: new Date(0).toISOString(),
          lastUpdatedDateTime: new Date(0).toISOString(),
          keyCount: store?.size ?? 0,
        }),
    });
  }
}
