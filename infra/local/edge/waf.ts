// AWS WAF in front of the local edge, for the web ACL's CAPTCHA rules (edge/firewall.ts): a matching
// request without a valid, unexpired token gets WAF's 405 with `x-amzn-waf-action: captcha`; with one, the
// rule's header is inserted and the request goes on. The challenge is real and small: a sum a person
// works out in the page, through a JavaScript API shaped like WAF's (AwsWafCaptcha.renderCaptcha), and
// an HMAC-signed token that expires after the rule's immunity time. Served under /.local-waf/.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import {
  type CaptchaRuleDeclaration,
  insertedHeaderName,
  type WebAclDeclaration,
  wafTokenHeader,
} from "../../../edge/firewall.ts";
import type { HttpRequestParts, HttpResponseParts } from "./edge-functions.ts";
import { captchaScript } from "./waf-captcha-script.ts";

export const localWafPrefix = "/.local-waf/";
/** A challenge must be answered within this time. */
const challengeSeconds = 120;

export interface LocalWafOptions {
  webAcl: WebAclDeclaration;
  /** The value every CAPTCHA rule inserts: the secret the edge build baked into the upload guard. */
  insertedHeaderValue: string;
  now: () => number;
}

export type WafVerdict =
  | { type: "continue"; request: HttpRequestParts }
  | { type: "captcha"; response: HttpResponseParts };

const json = (status: number, body: unknown): HttpResponseParts => ({
  status,
  statusText: status === 200 ? "OK" : "Bad Request",
  headers: [
    ["Content-Type", "application/json"],
    ["Cache-Control", "no-store"],
  ],
  body: Buffer.from(JSON.stringify(body)),
});

export class LocalWaf {
  readonly #options: LocalWafOptions;
  /** Tokens are signed with a key of this WAF alone: a token from another run is not valid. */
  readonly #key = randomBytes(32);

  constructor(options: LocalWafOptions) {
    this.#options = options;
  }

  #sign(kind: "c" | "t", payload: object): string {
    const data = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const mac = createHmac("sha256", this.#key).update(`${kind}.${data}`).digest("base64url");
    return `${kind}.${data}.${mac}`;
  }

  /** The payload of a signed value of this kind that has not expired, or undefined. */
  #open<T extends { exp: number }>(kind: "c" | "t", value: string): T | undefined {
    const [given, data, mac] = value.split(".");
    if (given !== kind || !data || !mac || value.length > 1024) return undefined;
    const expected = createHmac("sha256", this.#key).update(`${kind}.${data}`).digest();
    const actual = Buffer.from(mac, "base64url");
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
    const payload = JSON.parse(Buffer.from(data, "base64url").toString()) as T;
    return payload.exp > this.#options.now() ? payload : undefined;
  }

  /** A new sum to work out, signed so any edge process of this WAF can check the answer. */
  challenge(): { challenge: string; question: string } {
    const a = randomInt(2, 20);
    const b = randomInt(2, 20);
    const exp = this.#options.now() + challengeSeconds * 1000;
    return { challenge: this.#sign("c", { a, b, exp }), question: `What is ${a} + ${b}?` };
  }

  /** A token for a right answer to an unexpired challenge, valid for the shortest immunity time. */
  verify(challenge: string, answer: string): string | undefined {
    const open = this.#open<{ a: number; b: number; exp: number }>("c", challenge);
    if (!open || answer.trim() !== String(open.a + open.b)) return undefined;
    const immunity = Math.min(...this.#options.webAcl.rules.map((rule) => rule.immunityTimeSeconds));
    return this.#sign("t", { exp: this.#options.now() + immunity * 1000 });
  }

  #matches(rule: CaptchaRuleDeclaration, request: HttpRequestParts): boolean {
    return request.uri === rule.path && rule.methods.includes(request.method);
  }

  /** WAF's inspection of a viewer request, before CloudFront handles it. */
  inspect(request: HttpRequestParts): WafVerdict {
    const rule = this.#options.webAcl.rules.find((candidate) => this.#matches(candidate, request));
    if (!rule) return { type: "continue", request };
    const token = request.headers.find(([name]) => name.toLowerCase() === wafTokenHeader)?.[1] ?? "";
    if (this.#open("t", token)) {
      const name = insertedHeaderName(rule);
      // WAF inserts its header; one of the same name the client sent does not survive beside it.
      const headers = request.headers.filter(([header]) => header.toLowerCase() !== name);
      return {
        type: "continue",
        request: { ...request, headers: [...headers, [name, this.#options.insertedHeaderValue]] },
      };
    }
    const accept = request.headers.find(([name]) => name.toLowerCase() === "accept")?.[1] ?? "";
    const page = accept.includes("text/html");
    return {
      type: "captcha",
      response: {
        status: 405,
        statusText: "Method Not Allowed",
        headers: [
          ["x-amzn-waf-action", "captcha"],
          ["Content-Type", page ? "text/html; charset=utf-8" : "text/plain; charset=utf-8"],
          ["Cache-Control", "no-store"],
        ],
        // WAF's interstitial is for pages; an API client gets the status and the header to act on.
        body: Buffer.from(
          page
            ? `<!doctype html><title>Check</title><p>Please show you are a person first.</p><div id="captcha"></div><script src="${localWafPrefix}jsapi.js"></script>`
            : "CAPTCHA required\n",
        ),
      },
    };
  }

  /** WAF's own endpoints: the JavaScript API, a new challenge, the answer. Undefined for other paths. */
  serveOwn(method: string, uri: string, body: Buffer): HttpResponseParts | undefined {
    if (!uri.startsWith(localWafPrefix)) return undefined;
    const name = uri.slice(localWafPrefix.length);
    if (method === "GET" && name === "jsapi.js")
      return {
        status: 200,
        statusText: "OK",
        headers: [
          ["Content-Type", "text/javascript; charset=utf-8"],
          ["Cache-Control", "no-store"],
        ],
        body: Buffer.from(captchaScript),
      };
    if (method === "GET" && name === "challenge") return json(200, this.challenge());
    if (method === "POST" && name === "verify") {
      let given: { challenge?: unknown; answer?: unknown };
      try {
        given = JSON.parse(body.toString("utf8")) as typeof given;
      } catch {
        return json(400, { error: "The body must be JSON: {challenge, answer}." });
      }
      if (typeof given.challenge !== "string" || typeof given.answer !== "string")
        return json(400, { error: "The body must be JSON: {challenge, answer}." });
      const token = this.verify(given.challenge, given.answer);
      return token
        ? json(200, { token })
        : json(400, { error: "That is not the answer, or the question expired. Try the new one." });
    }
    return {
      status: 404,
      statusText: "Not Found",
      headers: [["Content-Type", "text/plain"]],
      body: Buffer.from("Not found\n"),
    };
  }
}
