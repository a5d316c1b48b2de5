// A person in Chromium solves the local WAF's challenge in a page, through its JavaScript CAPTCHA API,
// and the page's upload request with the token gets an upload grant; a wrong answer gets a new question.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "../browser/harness.ts";

let harness: BrowserHarness;

beforeAll(async () => {
  harness = await startBrowserHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe("the local WAF CAPTCHA in a browser", { timeout: 60_000 }, () => {
  it("is solved in the page, and the upload request with its token is granted", async () => {
    const page = await harness.browser.newPage();
    await page.goto(`${harness.stack.edge.url}/design/balloon-bunch/`, { waitUntil: "load" });
    // The page's own script would do this; the site's CSP (script-src 'self') lets the same-origin API in.
    await page.addScriptTag({ url: "/.local-waf/jsapi.js" });
    await page.evaluate(() => {
      const container = document.createElement("div");
      container.id = "upload-check";
      document.body.prepend(container);
      const captcha = (
        window as unknown as { AwsWafCaptcha: { renderCaptcha: (c: Element, o: object) => void } }
      ).AwsWafCaptcha;
      (window as unknown as { token: Promise<string> }).token = new Promise((resolve) =>
        captcha.renderCaptcha(container, { onSuccess: resolve }),
      );
    });
    const label = page.locator("#upload-check label");
    await expect.poll(() => label.textContent()).toMatch(/What is \d+ \+ \d+\?/);

    // A wrong answer first: the question changes and no token is given.
    const first = (await label.textContent()) ?? "";
    await page.fill("#upload-check input", "-1");
    await page.click("#upload-check button");
    await expect
      .poll(() => page.locator("#upload-check [role=status]").textContent())
      .toMatch(/not the answer/);
    await expect.poll(() => label.textContent()).not.toBe(first);

    const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec((await label.textContent()) ?? "") ?? [];
    await page.fill("#upload-check input", String(Number(a) + Number(b)));
    await page.click("#upload-check button");
    const answer = await page.evaluate(async () => {
      const token = await (window as unknown as { token: Promise<string> }).token;
      const refused = await fetch("/api/uploads", { method: "POST" });
      const granted = await fetch("/api/uploads", { method: "POST", headers: { "x-aws-waf-token": token } });
      return {
        refused: [refused.status, refused.headers.get("x-amzn-waf-action")],
        granted: granted.status,
        grant: await granted.json(),
      };
    });
    expect(answer.refused).toEqual([405, "captcha"]);
    expect(answer.granted).toBe(201);
    expect(answer.grant).toMatchObject({
      uploadId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      maxBytes: 10485760,
    });
    await page.close();
  });
});
