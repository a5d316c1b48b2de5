// The local WAF stage's CAPTCHA rule (refused, solved, expired, the inserted header) and the upload guard
// Lambda@Edge handler that checks the header, with the secret the edge build bakes in.
import { describe, expect, it } from "vitest";
import type { CloudFrontLambdaRequest } from "../../edge/aws/lambda-edge-event.ts";
import { insertedHeaderName, uploadCaptcha, webAcl } from "../../edge/firewall.ts";
import { guardUpload } from "../../edge/lambda/upload-guard.ts";
import type { HttpRequestParts } from "../../infra/local/edge/edge-functions.ts";
import { LocalWaf } from "../../infra/local/edge/waf.ts";

const secret = "baked-at-build-time";
let clock = 1_700_000_000_000;
const waf = new LocalWaf({ webAcl, insertedHeaderValue: secret, now: () => clock });
const upload = (headers: [string, string][] = []): HttpRequestParts => ({
  method: "POST",
  uri: "/api/uploads",
  rawQuery: "",
  headers: [["host", "goodgreets.example"], ...headers],
});
/** What a person does in the page: read the sum, answer it. */
const solve = () => {
  const { challenge, question } = waf.challenge();
  const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec(question) ?? [];
  const token = waf.verify(challenge, String(Number(a) + Number(b)));
  if (!token) throw new Error("the right answer was refused");
  return token;
};

describe("the local WAF CAPTCHA rule", () => {
  it("answers an upload grant without a token with 405 and x-amzn-waf-action: captcha", () => {
    const verdict = waf.inspect(upload());
    expect(verdict.type).toBe("captcha");
    if (verdict.type !== "captcha") return;
    expect(verdict.response.status).toBe(405);
    expect(verdict.response.headers).toContainEqual(["x-amzn-waf-action", "captcha"]);
  });

  it("gives a token for the right answer only, and then inserts the rule's header with the secret", () => {
    const { challenge, question } = waf.challenge();
    const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec(question) ?? [];
    expect(waf.verify(challenge, String(Number(a) + Number(b) + 1))).toBeUndefined();
    expect(waf.verify(`${challenge.slice(0, -2)}xx`, String(Number(a) + Number(b)))).toBeUndefined();
    const token = solve();
    const verdict = waf.inspect(
      upload([
        ["X-Aws-Waf-Token", token],
        [insertedHeaderName(uploadCaptcha), "forged"],
      ]),
    );
    expect(verdict.type).toBe("continue");
    if (verdict.type !== "continue") return;
    const inserted = verdict.request.headers.filter(
      ([name]) => name.toLowerCase() === "x-amzn-waf-upload-captcha",
    );
    expect(inserted).toEqual([["x-amzn-waf-upload-captcha", secret]]);
  });

  it("refuses a token once the rule's immunity time has passed", () => {
    const token = solve();
    clock += (uploadCaptcha.immunityTimeSeconds - 1) * 1000;
    expect(waf.inspect(upload([["x-aws-waf-token", token]])).type).toBe("continue");
    clock += 2000;
    expect(waf.inspect(upload([["x-aws-waf-token", token]])).type).toBe("captcha");
  });

  it("leaves requests the rule does not match alone, forged headers and all", () => {
    const get = { ...upload([["x-amzn-waf-upload-captcha", "guess"]]), method: "GET" };
    expect(waf.inspect(get)).toEqual({ type: "continue", request: get });
    const check = { ...upload(), uri: "/api/uploads/abc/check" };
    expect(waf.inspect(check).type).toBe("continue");
  });
});

describe("the upload guard", () => {
  const request = (headers: CloudFrontLambdaRequest["headers"]): CloudFrontLambdaRequest => ({
    clientIp: "192.0.2.1",
    method: "POST",
    uri: "/api/uploads",
    querystring: "",
    headers,
  });

  it("passes a request carrying the secret, without the secret", () => {
    const passed = guardUpload(
      request({
        "x-amzn-waf-upload-captcha": [{ key: "x-amzn-waf-upload-captcha", value: secret }],
        host: [{ key: "Host", value: "x" }],
      }),
      secret,
    );
    expect(passed).toMatchObject({ uri: "/api/uploads", headers: { host: [{ value: "x" }] } });
    expect("x-amzn-waf-upload-captcha" in (passed as CloudFrontLambdaRequest).headers).toBe(false);
  });

  it.each([
    ["no header", {}],
    ["a guessed value", { "x-amzn-waf-upload-captcha": [{ value: "guess" }] }],
    ["an empty value", { "x-amzn-waf-upload-captcha": [{ value: "" }] }],
  ])("answers %s with a JSON 405 the page can act on", (_, headers) => {
    const refused = guardUpload(request(headers), secret);
    expect(refused).toMatchObject({ status: "405" });
    expect(JSON.parse((refused as { body: string }).body).error.code).toBe("captcha_required");
  });

  it("refuses everything when no secret was baked in", () => {
    expect(guardUpload(request({ "x-amzn-waf-upload-captcha": [{ value: "" }] }), "")).toMatchObject({
      status: "405",
    });
  });
});
