// A sender starts a card with their own picture in Chromium: chooses "Your own picture (upload)", answers
// the local WAF's question, watches the upload's progress bar (the network is slowed so it moves in steps;
// every value it is given is recorded in the page and checked afterwards), sees the accepted picture and
// describes it, creates the card; the sign page then shows that picture with the description as its alt
// text. axe finds nothing at either step; screenshots at 390 and 1366 px.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownPictureLabel } from "../../site/islands/create/own-picture.ts";
import * as corpus from "../images/corpus.ts";
import { expectNoAxeViolations } from "./axe.ts";
import {
  type BrowserHarness,
  horizontalOverflow,
  saveScreenshots,
  screenshotWidths,
  startBrowserHarness,
} from "./harness.ts";
import { type ContextWatch, watchContext } from "./watch.ts";

let harness: BrowserHarness;
let edge: string;

beforeAll(async () => {
  harness = await startBrowserHarness();
  edge = harness.stack.edge.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const description = "Sam and Alex laughing on the beach";

describe("a card with the sender's own picture, through the pages", { timeout: 180_000 }, () => {
  it("uploads after the person check with progress shown, previews, creates and signs with the picture", async () => {
    const context = await harness.browser.newContext({
      viewport: { width: 1366, height: 900 },
      timezoneId: "Europe/London",
      locale: "en-GB",
    });
    context.setDefaultTimeout(15_000);
    // A page load waits for its first pictures, which a cold cache has the resizer render: on a busy
    // machine that alone can pass the step timeout (seen on the catalog under two CPU-burning loops).
    context.setDefaultNavigationTimeout(60_000);
    const watch: ContextWatch = await watchContext(context);
    // Every value the page gives a <progress>, with its max: read after the upload, so no assertion races
    // the throttled upload's clock.
    await context.addInitScript(() => {
      const shown: [number, number][] = [];
      Object.assign(window, { __progressValues: shown });
      const value = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
      Object.defineProperty(HTMLProgressElement.prototype, "value", {
        ...value,
        set(this: HTMLProgressElement, next: number) {
          value?.set?.call(this, next);
          shown.push([this.value, this.max]);
        },
      });
    });
    const page = await context.newPage();
    const { now } = (await (await fetch(`${edge}/api/time`)).json()) as { now: string };
    const date = new Date(Date.parse(now) + 20 * 86_400_000).toISOString().slice(0, 10);

    await page.goto(`${edge}/create/`);
    await page.getByRole("textbox", { name: "Recipient’s name" }).fill("Sam");
    await page.getByRole("textbox", { name: "Recipient’s email" }).fill("sam@example.com");
    await page.getByRole("textbox", { name: "Your name" }).fill("Alex");
    await page.getByRole("textbox", { name: "Your email" }).fill("alex@example.com");
    await page.getByRole("textbox", { name: "Title line" }).fill("Happy birthday, Sam!");
    await page.getByLabel("Date").fill(date);
    await page.getByLabel("Time", { exact: true }).fill("10:30");
    await page.getByRole("combobox", { name: "Design" }).selectOption({ label: ownPictureLabel });

    // A slowed upstream, so the upload takes a couple of seconds and its progress bar can be seen.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    const photo = await corpus.noisyJpeg(1200, 1600);
    expect(photo.length).toBeGreaterThan(600 * 1024);
    await page
      .getByLabel("Your picture")
      .setInputFiles({ name: "beach.jpg", mimeType: "image/jpeg", buffer: photo });

    // The local WAF's question, answered as a person would.
    const question = page.locator(".upload-picture__captcha label");
    await expect.poll(() => question.textContent(), { timeout: 15_000 }).toMatch(/What is \d+ \+ \d+\?/);
    const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec((await question.textContent()) ?? "") ?? [];
    await page.locator(".upload-picture__captcha input").fill(String(Number(a) + Number(b)));
    await page.locator(".upload-picture__captcha button").click();

    await page.getByRole("progressbar", { name: "Upload progress" }).waitFor();
    await expectNoAxeViolations(page, "create, uploading");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const preview = page.getByRole("img", { name: "Your picture" });
    await preview.waitFor();
    // The bar moved through the upload and ended full.
    const shown = await page.evaluate(
      () => (window as unknown as { __progressValues: [number, number][] }).__progressValues,
    );
    expect(
      shown.some(([value, max]) => value > 0 && value < max),
      JSON.stringify(shown),
    ).toBe(true);
    expect(shown.at(-1)).toEqual([100, 100]);
    await expect
      // The edge renders the variant on its first request: seconds on a busy machine.
      .poll(() => preview.evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0)), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    expect(await preview.getAttribute("src")).toMatch(/^\/img\/uploads\/[A-Za-z0-9_-]{22}\.jpg\?w=480$/);
    await page.getByRole("textbox", { name: "Describe your picture" }).fill(description);
    await expect(page.getByRole("img", { name: description }).count()).resolves.toBe(1);

    await saveScreenshots(page, "create-upload");
    for (const width of screenshotWidths) {
      await page.setViewportSize({ width, height: 900 });
      expect.soft(await horizontalOverflow(page), `create-upload at ${width} px`).toBe(0);
      await expectNoAxeViolations(page, `create with an uploaded picture at ${width} px`);
    }

    await page.getByRole("button", { name: "Create the card" }).click();
    await page.waitForURL(/\/o\/[A-Za-z0-9_-]+#/);
    const signLink = await page.getByRole("textbox", { name: "Sign link" }).inputValue();

    await page.goto(signLink);
    const picture = page.getByRole("img", { name: description });
    await picture.waitFor();
    await expect
      .poll(() => picture.evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0)), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    expect(await picture.evaluate((image: HTMLImageElement) => image.currentSrc)).toMatch(
      new RegExp(`^${edge}/img/uploads/[A-Za-z0-9_-]{22}\\.jpg\\?w=\\d+$`),
    );
    await saveScreenshots(page, "sign-upload");
    for (const width of screenshotWidths) {
      await page.setViewportSize({ width, height: 900 });
      await expectNoAxeViolations(page, `sign page with an uploaded picture at ${width} px`);
    }

    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    await context.close();
  });
});
