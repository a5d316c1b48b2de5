// The cloudfront-js-2.0 runtime inside a CloudFront Functions sandbox context, evaluated once per context.
// `host` offers only functions that take and return strings and never throw (a thrown host error would
// hand the function a host realm), so no host object reaches function code. Returns the run controls.
(function install(host) {
  // Calls the host; a failed host call answers undefined and leaves its reason with host.failure().
  const call = (name, ...args) => {
    const answer = host[name](...args.map(String));
    if (answer === undefined) throw new TypeError(host.failure());
    return answer;
  };
  const toHex = (bytes) => {
    let hex = "";
    for (let i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex;
  };
  const fromHex = (hex, Type) => {
    const bytes = new Type(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  };
  const isBytes = (value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
  const bytesOf = (value) =>
    value instanceof ArrayBuffer
      ? new Uint8Array(value)
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

  globalThis.btoa = (text) => call("convert", String(text), "latin1", "base64");
  globalThis.atob = (text) => call("convert", String(text), "base64", "latin1");

  class Buffer extends Uint8Array {
    static from(value, encoding) {
      if (typeof value === "string")
        return fromHex(call("convert", value, encoding || "utf8", "hex"), Buffer);
      const source = isBytes(value) ? bytesOf(value) : Array.from(value);
      const buffer = new Buffer(source.length);
      buffer.set(source);
      return buffer;
    }
    static alloc(size, fill) {
      const buffer = new Buffer(size);
      if (fill !== undefined) buffer.fill(typeof fill === "number" ? fill : 0);
      return buffer;
    }
    static allocUnsafe(size) {
      return new Buffer(size);
    }
    static byteLength(value, encoding) {
      return typeof value === "string" ? Buffer.from(value, encoding).length : value.byteLength;
    }
    static concat(list) {
      const buffer = new Buffer(list.reduce((size, item) => size + item.length, 0));
      let offset = 0;
      for (const item of list) {
        buffer.set(item, offset);
        offset += item.length;
      }
      return buffer;
    }
    static isBuffer(value) {
      return value instanceof Buffer;
    }
    static isEncoding(encoding) {
      return ["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii"].includes(
        String(encoding).toLowerCase(),
      );
    }
    static compare(a, b) {
      const x = toHex(a);
      const y = toHex(b);
      return x === y ? 0 : x < y ? -1 : 1;
    }
    toString(encoding) {
      return call("convert", toHex(this), "hex", encoding || "utf8");
    }
    equals(other) {
      return Buffer.compare(this, other) === 0;
    }
  }
  globalThis.Buffer = Buffer;

  // UTF-8 only, as the Encoding standard's TextEncoder; TextDecoder replaces bad sequences unless fatal.
  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(text = "") {
      return new Uint8Array(Buffer.from(String(text), "utf8"));
    }
  }
  class TextDecoder {
    #fatal;
    #ignoreBOM;
    constructor(label = "utf-8", options = {}) {
      if (!["utf-8", "utf8", "unicode-1-1-utf-8"].includes(String(label).trim().toLowerCase()))
        throw new RangeError(`The "${label}" encoding is not supported`);
      this.#fatal = Boolean(options.fatal);
      this.#ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return "utf-8";
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input) {
      if (input === undefined) return "";
      if (!isBytes(input)) throw new TypeError("TextDecoder.decode takes an ArrayBuffer or a view of one");
      const hex = toHex(bytesOf(input));
      const text = call("convert", hex, "hex", "utf8");
      // Valid UTF-8 survives a round trip; a replaced sequence does not.
      if (this.#fatal && call("convert", text, "utf8", "hex") !== hex)
        throw new TypeError("The encoded data was not valid for encoding utf-8");
      return !this.#ignoreBOM && text.startsWith("\uFEFF") ? text.slice(1) : text;
    }
  }
  globalThis.TextEncoder = TextEncoder;
  globalThis.TextDecoder = TextDecoder;

  // Date is the run's start time throughout a run (runtime 2.0).
  const clock = { startedAt: 0 };
  const RealDate = Date;
  function FrozenDate(...args) {
    if (!new.target) return new RealDate(clock.startedAt).toString();
    return args.length === 0 ? new RealDate(clock.startedAt) : new RealDate(...args);
  }
  FrozenDate.now = () => clock.startedAt;
  FrozenDate.parse = RealDate.parse;
  FrozenDate.UTC = RealDate.UTC;
  FrozenDate.prototype = RealDate.prototype;
  globalThis.Date = FrozenDate;

  let logs = [];
  // console.log only, one argument (runtime 2.0 does not take comma syntax).
  globalThis.console = {
    log(message) {
      logs.push(String(message));
    },
  };

  // Input is hashed as bytes: strings in their encoding (UTF-8 unless named), views byte for byte, as Node.
  const inputEncodings = ["utf8", "utf-8", "latin1", "binary", "ascii", "hex", "base64", "base64url"];
  function hexOf(data, encoding) {
    if (typeof data === "string") {
      const named = encoding === undefined ? "utf8" : String(encoding).toLowerCase();
      if (!inputEncodings.includes(named)) throw new TypeError(`Unknown encoding: ${encoding}`);
      return call("convert", data, named, "hex");
    }
    if (isBytes(data)) return toHex(bytesOf(data));
    throw new TypeError("The data argument must be a string, a Buffer, a TypedArray or a DataView");
  }
  function digester(kind, algorithm, keyHex) {
    if (!["md5", "sha1", "sha256"].includes(algorithm))
      throw new Error(`Unsupported algorithm: ${algorithm}`);
    let input = "";
    let done = false;
    return {
      update(data, encoding) {
        if (done) throw new Error("Digest already called");
        input += hexOf(data, encoding);
        return this;
      },
      digest(encoding) {
        if (done) throw new Error("Digest already called");
        done = true;
        const hex = call("digest", kind, algorithm, keyHex, input);
        if (encoding === "hex") return hex;
        if (encoding === "base64" || encoding === "base64url") return call("convert", hex, "hex", encoding);
        // Runtime 2.0: digest() with no encoding returns a Buffer.
        return fromHex(hex, Buffer);
      },
    };
  }
  const crypto = {
    createHash: (algorithm) => digester("hash", algorithm, ""),
    createHmac: (algorithm, key) => digester("hmac", algorithm, hexOf(key)),
  };
  const querystring = {
    parse: (text) => JSON.parse(call("queryParse", String(text))),
    decode: (text) => JSON.parse(call("queryParse", String(text))),
    stringify: (value) => call("queryStringify", JSON.stringify(value)),
    encode: (value) => call("queryStringify", JSON.stringify(value)),
    escape: (text) => call("queryEscape", String(text)),
    unescape: (text) => call("queryUnescape", String(text)),
  };
  const originCall = (helper, argument) => {
    call("origin", helper, argument === undefined ? "null" : JSON.stringify(argument));
  };
  const cloudfront = {
    kvs() {
      if (!host.hasStore) throw new Error("No KeyValueStore is associated with this function");
      return {
        async get(key, options) {
          const value = host.storeGet(String(key));
          if (value === undefined) throw new Error(`Key not found: ${key}`);
          const format = options?.format ? options.format : "string";
          if (format === "json") return JSON.parse(value);
          if (format === "bytes") return new TextEncoder().encode(value);
          return value;
        },
        async exists(key) {
          return host.storeGet(String(key)) !== undefined;
        },
        async meta() {
          return JSON.parse(host.storeMeta());
        },
      };
    },
    updateRequestOrigin: (params) => originCall("updateRequestOrigin", params),
    selectRequestOriginById: (originId) => originCall("selectRequestOriginById", originId),
    createRequestOriginGroup: (params) => originCall("createRequestOriginGroup", params),
  };
  const modules = { crypto, querystring, cloudfront, buffer: { Buffer } };
  globalThis.require = (name) => {
    if (!Object.hasOwn(modules, name)) throw new Error(`Cannot find module '${name}'`);
    return modules[name];
  };

  // What runtime 2.0 does not offer.
  for (const name of ["eval", "WebAssembly", "SharedArrayBuffer", "Atomics", "queueMicrotask", "fetch"])
    delete globalThis[name];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  for (const Kind of [Function, AsyncFunction])
    Object.defineProperty(Kind.prototype, "constructor", { value: undefined });

  lockdown(modules);

  // One run: the function's top level runs afresh, then its handler; the reader is called after the
  // context's microtasks were drained, so an async handler has settled unless it awaits nothing real.
  return {
    start(factory, input, startedAt) {
      clock.startedAt = startedAt;
      logs = [];
      const settled = { state: "pending" };
      try {
        const handler = factory();
        if (typeof handler !== "function") throw new Error("the function defines no handler(event)");
        Promise.resolve(handler(JSON.parse(input))).then(
          (value) => {
            settled.state = "fulfilled";
            settled.value = value;
          },
          (error) => {
            settled.state = "rejected";
            settled.value = error;
          },
        );
      } catch (error) {
        settled.state = "rejected";
        settled.value = error;
      }
      return () => {
        const describe = (error) =>
          error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const finished = { logs: logs.slice() };
        if (settled.state === "pending") return { ...finished, error: "the handler's promise never settled" };
        if (settled.state === "rejected") return { ...finished, error: describe(settled.value) };
        try {
          return { ...finished, result: JSON.stringify(settled.value ?? null) };
        } catch (error) {
          return { ...finished, error: describe(error) };
        }
      };
    },
  };

  // Freezes the built-ins and the runtime so one run cannot change what the next one sees; the globals
  // themselves stay extensible and the host removes what a run added. Assigning `name`, `message`,
  // `toString` and the like on an object must still work, so those inherited properties become
  // accessors that define the property on the object instead (the "override mistake", as SES tames it).
  function lockdown(extraRoots) {
    const roots = [
      globalThis,
      extraRoots,
      Object.getPrototypeOf(function* () {}),
      Object.getPrototypeOf(async () => {}),
      Object.getPrototypeOf(async function* () {}),
      Object.getPrototypeOf((function* () {})()),
      Object.getPrototypeOf((async function* () {})()),
      Object.getPrototypeOf([][Symbol.iterator]()),
      Object.getPrototypeOf(new Map().entries()),
      Object.getPrototypeOf(new Set().values()),
      Object.getPrototypeOf(""[Symbol.iterator]()),
      Object.getPrototypeOf(/a/[Symbol.matchAll]("")),
      Object.getPrototypeOf(Uint8Array),
    ];
    const reached = new Set();
    const visit = (value) => {
      if ((typeof value !== "object" && typeof value !== "function") || value === null || reached.has(value))
        return;
      reached.add(value);
      visit(Object.getPrototypeOf(value));
      for (const key of Reflect.ownKeys(value)) {
        const property = Reflect.getOwnPropertyDescriptor(value, key);
        if ("value" in property) visit(property.value);
        else {
          visit(property.get);
          visit(property.set);
        }
      }
    };
    for (const root of roots) visit(root);
    reached.delete(globalThis);
    const overridable = ["constructor", "toString", "toLocaleString", "valueOf", "name", "message", "toJSON"];
    for (const object of reached) {
      for (const key of overridable) {
        const property = Reflect.getOwnPropertyDescriptor(object, key);
        if (!property || !("value" in property) || !property.writable || !property.configurable) continue;
        const value = property.value;
        const get = Object.freeze(() => value);
        // A method has no prototype object of its own that a run could change.
        const { set } = {
          set(replacement) {
            if (this === object) throw new TypeError(`Cannot assign to read only property '${key}'`);
            Object.defineProperty(this, key, {
              value: replacement,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          },
        };
        Object.freeze(set);
        Object.defineProperty(object, key, {
          get,
          set,
          enumerable: property.enumerable,
          configurable: false,
        });
      }
      Object.freeze(object);
    }
    for (const key of Reflect.ownKeys(globalThis)) {
      const property = Reflect.getOwnPropertyDescriptor(globalThis, key);
      if (property.configurable || property.writable)
        Object.defineProperty(globalThis, key, {
          ...("value" in property ? { writable: false } : {}),
          configurable: false,
        });
    }
  }
});
