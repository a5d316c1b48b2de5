// The cloudfront-js-2.0 sandbox: what a function may use, what it may not, and how results are judged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CloudFrontFunctionEvent,
  compileCloudFrontFunction,
  FunctionCompileError,
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
  viewerResponseEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";

const context = {
  distributionDomainName: "d111111abcdef8.cloudfront.net",
  distributionId: "E1TEST",
  requestId: "r-1",
};
const event = (overrides: Partial<Parameters<typeof viewerRequestEvent>[0]> = {}): CloudFrontFunctionEvent =>
  viewerRequestEvent({
    method: "GET",
    uri: "/cards",
    rawQuery: "",
    headers: [["Host", "example.com"]],
    viewerIp: "192.0.2.1",
    context,
    ...overrides,
  });
const run = async (code: string, input = event(), keyValueStore?: ReadonlyMap<string, string>) => {
  const compiled = compileCloudFrontFunction({
    name: "test",
    code,
    ...(keyValueStore ? { keyValueStore } : {}),
  });
  try {
    return await compiled.run(input);
  } finally {
    await compiled.close();
  }
};

describe("modules", () => {
  it("offers crypto (hash and HMAC, hex/base64/base64url, Buffer-like bytes) and querystring", async () => {
    const outcome = await run(`
      import crypto from 'crypto';
      const qs = require('querystring');
      function handler(event) {
        const request = event.request;
        request.headers['x-sha256'] = { value: crypto.createHash('sha256').update('card').digest('hex') };
        request.headers['x-hmac'] = { value: crypto.createHmac('sha1', 'key').update('card').digest('base64url') };
        request.headers['x-md5-bytes'] = { value: String(crypto.createHash('md5').update('card').digest().length) };
        request.headers['x-qs'] = { value: qs.stringify({ a: '1', b: ['2', '3'] }) };
        request.headers['x-buffer'] = { value: Buffer.from('card').toString('base64') + ' ' + Buffer.from('6361', 'hex').toString() + ' ' + atob(btoa('ok')) };
        return request;
      }`);
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    const { createHash, createHmac } = await import("node:crypto");
    expect(outcome.request.headers["x-sha256"]?.value).toBe(
      createHash("sha256").update("card").digest("hex"),
    );
    expect(outcome.request.headers["x-hmac"]?.value).toBe(
      createHmac("sha1", "key").update("card").digest("base64url"),
    );
    expect(outcome.request.headers["x-md5-bytes"]?.value).toBe("16");
    expect(outcome.request.headers["x-qs"]?.value).toBe("a=1&b=2&b=3");
    expect(outcome.request.headers["x-buffer"]?.value).toBe("Y2FyZA== ca ok");
  });

  it("refuses other modules, at load time and at require time", async () => {
    for (const code of [
      `import fs from 'fs'; function handler(event) { return event.request; }`,
      `function handler(event) { require('child_process'); return event.request; }`,
    ]) {
      const outcome = await run(code);
      expect(outcome).toMatchObject({ type: "error", status: 503 });
      if (outcome.type === "error") expect(outcome.reason).toMatch(/Cannot find module/);
    }
  });

  it("has no eval, Function constructor, timers, process or network", async () => {
    const outcome = await run(`function handler(event) {
      const r = event.request;
      const probe = (name, fn) => { try { fn(); r.headers[name] = { value: 'allowed' }; } catch (e) { r.headers[name] = { value: 'refused' }; } };
      probe('x-eval', () => eval('1'));
      probe('x-function', () => new Function('return 1')());
      probe('x-escape', () => { const f = (() => {}).constructor; return f('return process')(); });
      probe('x-timeout', () => setTimeout(() => {}, 1));
      probe('x-process', () => process.env);
      probe('x-fetch', () => fetch('http://example.com'));
      return r;
    }`);
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    for (const name of ["x-eval", "x-function", "x-escape", "x-timeout", "x-process", "x-fetch"])
      expect(outcome.request.headers[name]?.value, name).toBe("refused");
  });

  it("reads a KeyValueStore, and get rejects on a missing key", async () => {
    const code = `import cf from 'cloudfront';
      async function handler(event) {
        const kvs = cf.kvs();
        const r = event.request;
        r.headers['x-theme'] = { value: await kvs.get('theme') };
        r.headers['x-exists'] = { value: String(await kvs.exists('nope')) };
        try { await kvs.get('nope'); r.headers['x-missing'] = { value: 'found' }; } catch (e) { r.headers['x-missing'] = { value: 'rejected' }; }
        r.headers['x-count'] = { value: String((await kvs.meta()).keyCount) };
        return r;
      }`;
    const outcome = await run(code, event(), new Map([["theme", "birthday"]]));
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    expect(outcome.request.headers["x-theme"]?.value).toBe("birthday");
    expect(outcome.request.headers["x-exists"]?.value).toBe("false");
    expect(outcome.request.headers["x-missing"]?.value).toBe("rejected");
    expect(outcome.request.headers["x-count"]?.value).toBe("1");
    expect(await run(code)).toMatchObject({ type: "error", status: 503 });
  });
});

describe("the runtime", () => {
  it("freezes Date at the start of the run", async () => {
    const outcome = await run(`function handler(event) {
      const first = Date.now();
      let spin = 0; for (let i = 0; i < 2e6; i++) spin += i;
      event.request.headers['x-same'] = { value: String(first === Date.now() && first === new Date().getTime()) };
      return event.request;
    }`);
    expect(outcome.type === "request" && outcome.request.headers["x-same"]?.value).toBe("true");
  });

  it("collects console.log lines", async () => {
    const outcome = await run(
      `function handler(event) { console.log('hello ' + event.request.uri); return event.request; }`,
    );
    expect(outcome.logs).toEqual(["hello /cards"]);
  });

  it("answers 503 for a throw, a rejection and an endless loop", async () => {
    expect(await run(`function handler() { throw new Error('no'); }`)).toMatchObject({
      type: "error",
      status: 503,
    });
    expect(await run(`async function handler() { throw new Error('no'); }`)).toMatchObject({
      type: "error",
      status: 503,
    });
    expect(await run(`function handler() { for (;;) {} }`)).toMatchObject({ type: "error", status: 503 });
  });

  it("refuses source over 10 KB and export statements at compile time", () => {
    expect(() =>
      compileCloudFrontFunction({
        name: "big",
        code: `function handler(e) { return e.request; } // ${"x".repeat(10_240)}`,
      }),
    ).toThrow(FunctionCompileError);
    expect(() =>
      compileCloudFrontFunction({ name: "esm", code: "export function handler(e) { return e.request; }" }),
    ).toThrow(FunctionCompileError);
  });
});

describe("validation", () => {
  it("answers 502 for a read-only header, a disallowed header, a changed method and a bad uri", async () => {
    for (const body of [
      "r.headers.host = { value: 'evil.example' };",
      "r.headers['x-forwarded-proto'] = { value: 'https' };",
      "r.headers['X-Upper'] = { value: 'x' };",
      "r.method = 'POST';",
      "r.uri = 'cards';",
    ]) {
      const outcome = await run(`function handler(event) { const r = event.request; ${body} return r; }`);
      expect(outcome, body).toMatchObject({ type: "error", status: 502 });
    }
  });

  it("returns a generated redirect from viewer-request", async () => {
    const outcome = await run(`function handler(event) {
      return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/new' } } };
    }`);
    expect(outcome.type).toBe("response");
    if (outcome.type !== "response") return;
    const http = httpResponseFromFunction(outcome.response);
    expect(http.status).toBe(301);
    expect(http.headers).toContainEqual(["Location", "/new"]);
  });

  it("refuses a non-integer status and invalid base64", async () => {
    expect(await run(`function handler() { return { statusCode: '200' }; }`)).toMatchObject({ status: 502 });
    expect(
      await run(
        `function handler() { return { statusCode: 200, body: { encoding: 'base64', data: '***' } }; }`,
      ),
    ).toMatchObject({
      status: 502,
    });
  });
});

describe("events", () => {
  it("gives repeated names a multiValue; a changed multiValue wins, else a changed value replaces the first", async () => {
    const input = event({
      rawQuery: "tag=a&tag=b&one=1",
      headers: [
        ["Host", "example.com"],
        ["X-Card", "1"],
        ["X-Card", "2"],
        ["Cookie", "theme=dark; seen=1; seen=2"],
      ],
    });
    expect(input.request.querystring).toEqual({
      tag: { value: "a", multiValue: [{ value: "a" }, { value: "b" }] },
      one: { value: "1" },
    });
    expect(input.request.headers["x-card"]).toEqual({
      value: "1",
      multiValue: [{ value: "1" }, { value: "2" }],
    });
    expect(input.request.cookies.seen?.multiValue).toHaveLength(2);
    expect(input.request.headers.cookie).toBeUndefined();
    const outcome = await run(
      `function handler(event) {
        const r = event.request;
        r.querystring.tag.multiValue = [{ value: 'c' }];
        r.querystring.tag.value = 'ignored';
        r.headers['x-card'].value = 'first';
        r.cookies.seen.value = '0';
        return r;
      }`,
      input,
    );
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    const http = httpRequestFromFunction(outcome.request);
    expect(http.rawQuery).toBe("tag=c&one=1");
    expect(http.headers.filter(([name]) => name === "x-card")).toEqual([
      ["x-card", "first"],
      ["x-card", "2"],
    ]);
    expect(http.headers).toContainEqual(["cookie", "theme=dark; seen=0; seen=2"]);
  });

  it("accepts a query string returned as a string", async () => {
    const outcome = await run(
      `function handler(event) { const r = event.request; r.querystring = 'b=2&a=1'; return r; }`,
    );
    expect(outcome.type === "request" && httpRequestFromFunction(outcome.request).rawQuery).toBe("b=2&a=1");
  });

  it("parses Set-Cookie into response cookies and writes them back", async () => {
    const responseEvent = viewerResponseEvent(event(), {
      status: 200,
      statusText: "OK",
      headers: [
        ["Content-Type", "text/html"],
        ["Set-Cookie", "id=1; Secure; Path=/"],
      ],
    });
    expect(responseEvent.response?.cookies).toEqual({ id: { value: "1", attributes: "Secure; Path=/" } });
    const outcome = await run(`function handler(event) { return event.response; }`, responseEvent);
    expect(outcome.type).toBe("response");
    if (outcome.type !== "response") return;
    expect(httpResponseFromFunction(outcome.response).headers).toContainEqual([
      "Set-Cookie",
      "id=1; Secure; Path=/",
    ]);
  });

  it("round-trips any request through the event unchanged (names lowercased)", () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.stringMatching(/^(\/[a-z0-9._-]{1,8}){1,4}$/),
        fc.array(fc.tuple(token, fc.stringMatching(/^[a-z0-9]{1,6}$/)), { maxLength: 5 }),
        fc.array(
          fc.tuple(
            token.filter((name) => name !== "cookie"),
            fc.stringMatching(/^[ -~]{1,12}$/),
          ),
          { maxLength: 5 },
        ),
        (uri, query, headers) => {
          const rawQuery = query.map(([name, value]) => `${name}=${value}`).join("&");
          const input = viewerRequestEvent({
            method: "GET",
            uri,
            rawQuery,
            headers,
            viewerIp: "192.0.2.1",
            context,
          });
          const back = httpRequestFromFunction(input.request);
          expect(back.uri).toBe(uri);
          const sortPairs = (pairs: [string, string][]) =>
            pairs.toSorted((a, b) => (a[0] === b[0] ? 0 : a[0] < b[0] ? -1 : 1));
          expect(
            sortPairs(
              back.rawQuery === ""
                ? []
                : back.rawQuery.split("&").map((p) => p.split("=") as [string, string]),
            ),
          ).toEqual(sortPairs(query));
          expect(sortPairs(back.headers)).toEqual(
            sortPairs(headers.map(([name, value]) => [name.toLowerCase(), value])),
          );
        },
      ),
    );
  });
});

describe("prepared contexts", () => {
  it("reuses one context, yet nothing a run sets reaches the next run", async () => {
    const compiled = compileCloudFrontFunction({
      name: "isolation",
      code: `let runs = 0;
      function handler(event) {
        runs++;
        const r = event.request;
        const seen = [typeof globalThis.leak, String([].leak), String(runs), typeof Object.prototype.polluted].join(',');
        r.headers['x-seen'] = { value: seen };
        globalThis.leak = 'from an earlier run';
        const refused = [];
        for (const change of [() => { Array.prototype.leak = 1; }, () => { Object.prototype.polluted = 1; }, () => { JSON.parse = null; }])
          try { change(); } catch (e) { refused.push(e.name); }
        r.headers['x-refused'] = { value: refused.join(',') };
        // Assigning an inherited name on one's own object still works.
        const error = new Error('m'); error.name = 'CardError';
        const card = { toString() { return 'card'; } };
        r.headers['x-own'] = { value: error.name + ' ' + String(card) };
        return r;
      }`,
    });
    try {
      for (let round = 0; round < 3; round++) {
        const outcome = await compiled.run(event());
        expect(outcome.type).toBe("request");
        if (outcome.type !== "request") return;
        expect(outcome.request.headers["x-seen"]?.value).toBe("undefined,undefined,1,undefined");
        expect(outcome.request.headers["x-refused"]?.value).toBe("TypeError,TypeError,TypeError");
        expect(outcome.request.headers["x-own"]?.value).toBe("CardError card");
      }
    } finally {
      await compiled.close();
    }
  });
});

describe("compute", () => {
  it("stops an endless await chain by its CPU time while the edge's event loop keeps turning", async () => {
    const compiled = compileCloudFrontFunction(
      { name: "awaits", code: "async function handler() { for (;;) await Promise.resolve(); }" },
      // The wall-clock guard is far away: the CPU budget must be what stops it.
      { computeBudgetMs: 50, wallClockGuardMs: 600_000 },
    );
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    try {
      const outcome = await compiled.run(event());
      expect(outcome).toMatchObject({
        type: "error",
        status: 503,
        reason: expect.stringMatching(/compute budget/),
      });
      expect(turns).toBeGreaterThan(1);
      // The function's thread was replaced; the next run works.
      const next = compileCloudFrontFunction({
        name: "ok",
        code: "function handler(e) { return e.request; }",
      });
      expect((await next.run(event())).type).toBe("request");
      await next.close();
    } finally {
      clearInterval(ticker);
      await compiled.close();
    }
  });

  it("stops a synchronous loop by the wall-clock guard when nothing else does", async () => {
    const compiled = compileCloudFrontFunction(
      { name: "spins", code: "function handler() { for (;;) {} }" },
      { computeBudgetMs: 600_000, wallClockGuardMs: 200 },
    );
    try {
      expect(await compiled.run(event())).toMatchObject({
        status: 503,
        reason: expect.stringMatching(/did not finish within 200 ms/),
      });
    } finally {
      await compiled.close();
    }
  });

  it("judges CPU time, not wall-clock time: trivial runs pass a 5 ms budget beside CPU-bound threads", async () => {
    const { Worker } = await import("node:worker_threads");
    const burners = Array.from(
      { length: 3 },
      () => new Worker("const end = Date.now() + 60_000; while (Date.now() < end) {}", { eval: true }),
    );
    const compiled = compileCloudFrontFunction(
      { name: "trivial", code: "function handler(e) { e.request.uri = '/x'; return e.request; }" },
      { computeBudgetMs: 5, wallClockGuardMs: 60_000 },
    );
    try {
      const outcomes = await Promise.all(Array.from({ length: 200 }, () => compiled.run(event())));
      expect(outcomes.filter((outcome) => outcome.type !== "request")).toEqual([]);
    } finally {
      await Promise.all([compiled.close(), ...burners.map((burner) => burner.terminate())]);
    }
  }, 60_000);
});

describe("runtime 2.0 APIs", () => {
  it("offers TextEncoder and TextDecoder (UTF-8, BOM, replacement and fatal)", async () => {
    const outcome = await run(`function handler(event) {
      const r = event.request;
      const bytes = new TextEncoder().encode('grüße ✉');
      r.headers['x-encoded'] = { value: Array.from(bytes).join(',') };
      r.headers['x-decoded'] = { value: new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes])) };
      r.headers['x-replaced'] = { value: new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62])) };
      try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); r.headers['x-fatal'] = { value: 'decoded' }; }
      catch (e) { r.headers['x-fatal'] = { value: e.name }; }
      return r;
    }`);
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    expect(outcome.request.headers["x-encoded"]?.value).toBe([...Buffer.from("grüße ✉")].join(","));
    expect(outcome.request.headers["x-decoded"]?.value).toBe("grüße ✉");
    expect(outcome.request.headers["x-replaced"]?.value).toBe("a\uFFFDb");
    expect(outcome.request.headers["x-fatal"]?.value).toBe("TypeError");
  });

  it("hashes bytes exactly as Node does, non-UTF-8 input included", async () => {
    const outcome = await run(`import crypto from 'crypto';
      function handler(event) {
        const r = event.request;
        const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3]);
        r.headers['x-bytes'] = { value: crypto.createHash('sha256').update(bytes).digest('hex') };
        r.headers['x-buffer'] = { value: crypto.createHash('md5').update(Buffer.from('ff00c3', 'hex')).digest('base64') };
        r.headers['x-latin1'] = { value: crypto.createHash('sha1').update('\\u00ff\\u00e9', 'latin1').digest('hex') };
        r.headers['x-parts'] = { value: crypto.createHmac('sha256', Buffer.from([1, 2, 255])).update('card').update(bytes).digest('hex') };
        return r;
      }`);
    expect(outcome.type).toBe("request");
    if (outcome.type !== "request") return;
    const { createHash, createHmac } = await import("node:crypto");
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
    expect(outcome.request.headers["x-bytes"]?.value).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(outcome.request.headers["x-buffer"]?.value).toBe(
      createHash("md5").update(Buffer.from("ff00c3", "hex")).digest("base64"),
    );
    expect(outcome.request.headers["x-latin1"]?.value).toBe(
      createHash("sha1").update("\u00ff\u00e9", "latin1").digest("hex"),
    );
    expect(outcome.request.headers["x-parts"]?.value).toBe(
      createHmac("sha256", Buffer.from([1, 2, 255]))
        .update("card")
        .update(bytes)
        .digest("hex"),
    );
  });

  it("refuses a URI and query string of 8,192 characters or more", async () => {
    const code = (length: number) =>
      `function handler(event) { const r = event.request; r.uri = '/' + 'a'.repeat(${length - 8}); r.querystring = 'x=1234'; return r; }`;
    // "/" + filler + "?" + "x=1234" is exactly `length` characters.
    expect((await run(code(8191))).type).toBe("request");
    expect(await run(code(8192))).toMatchObject({ type: "error", status: 502 });
  });
});

describe("origin helpers", () => {
  const origins = async (code: string, input = event()) => {
    const compiled = compileCloudFrontFunction({
      name: "origins",
      code,
      originIds: ["site", "images", "api"],
    });
    try {
      return await compiled.run(input);
    } finally {
      await compiled.close();
    }
  };

  it("hands the origin override of a viewer-request run to the edge", async () => {
    const outcome = await origins(`import cf from 'cloudfront';
      function handler(event) {
        cf.updateRequestOrigin({ originPath: '/v2', customHeaders: { 'x-tenant': 'blue' }, timeouts: { readTimeout: 5 } });
        cf.updateRequestOrigin({ timeouts: { connectionTimeout: 2 }, connectionAttempts: 1 });
        cf.selectRequestOriginById('images');
        return event.request;
      }`);
    expect(outcome).toMatchObject({
      type: "request",
      origin: {
        target: { originId: "images" },
        update: {
          originPath: "/v2",
          customHeaders: { "x-tenant": "blue" },
          timeouts: { readTimeout: 5, connectionTimeout: 2 },
          connectionAttempts: 1,
        },
      },
    });
    const group = await origins(`import cf from 'cloudfront';
      function handler(event) {
        cf.createRequestOriginGroup({ originIds: ['site', 'images'], failoverCriteria: { statusCodes: [500, 503] } });
        return event.request;
      }`);
    expect(group).toMatchObject({
      origin: {
        target: {
          group: {
            originIds: ["site", "images"],
            failoverStatusCodes: [500, 503],
            selectionCriteria: "default",
          },
        },
      },
    });
    expect((await origins("function handler(e) { return e.request; }")).type === "request").toBe(true);
    expect(await origins("function handler(e) { return e.request; }")).not.toHaveProperty("origin");
  });

  it.each([
    ["an undeclared origin", "cf.selectRequestOriginById('elsewhere')", /no origin with id/],
    ["an unknown parameter", "cf.updateRequestOrigin({ port: 80 })", /no parameter port/],
    ["a read timeout over 60 s", "cf.updateRequestOrigin({ timeouts: { readTimeout: 61 } })", /readTimeout/],
    ["four connection attempts", "cf.updateRequestOrigin({ connectionAttempts: 4 })", /connectionAttempts/],
    ["a path ending in /", "cf.updateRequestOrigin({ originPath: '/v2/' })", /originPath/],
    ["a header CloudFront cannot add", "cf.updateRequestOrigin({ customHeaders: { host: 'x' } })", /host/],
    [
      "a failover status CloudFront does not take",
      "cf.createRequestOriginGroup({ originIds: ['site', 'api'], failoverCriteria: { statusCodes: [501] } })",
      /statusCodes/,
    ],
  ])("fails the run on %s", async (_case, call, reason) => {
    const outcome = await origins(
      `import cf from 'cloudfront'; function handler(event) { ${call}; return event.request; }`,
    );
    expect(outcome).toMatchObject({ type: "error", status: 503, reason: expect.stringMatching(reason) });
  });

  it("offers the origin helpers in viewer-request functions only", async () => {
    const responseEvent = viewerResponseEvent(event(), { status: 200, statusText: "OK", headers: [] });
    const outcome = await origins(
      `import cf from 'cloudfront'; function handler(event) { cf.selectRequestOriginById('site'); return event.response; }`,
      responseEvent,
    );
    expect(outcome).toMatchObject({
      status: 503,
      reason: expect.stringMatching(/only available in viewer-request/),
    });
  });
});
