// The catalog in Chromium through the local edge: accessible (axe), no sideways scrolling on a phone,
// no script and no CSP violation, and screenshots at a phone's and a laptop's width.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
let context: BrowserContext;
let watch: ContextWatch;

beforeAll(async () => {
  harness = await startBrowserHarness();
  context = await harness.browser.newContext({ viewport: { width: 1366, height: 900 } });
  watch = await watchContext(context);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(`${harness.stack.edge.url}${path}`, { waitUntil: "load" });
  expect(response?.status(), path).toBe(200);
  return page;
}

async function checkEveryWidth(page: Page, name: string): Promise<void> {
  await saveScreenshots(page, name);
  for (const width of screenshotWidths) {
    await page.setViewportSize({ width, height: 900 });
    expect(await horizontalOverflow(page), `${name} at ${width} px`).toBe(0);
    await expectNoAxeViolations(page, `${name} at ${width} px`);
  }
}

describe("the catalog in a browser", { timeout: 120_000 }, () => {
  it("the home page: accessible at both widths, every image loaded, no script", async () => {
    const page = await open("/");
    await checkEveryWidth(page, "catalog");
    const images = await page.$$eval("img", (all) =>
      all.map((image) => ({
        src: image.getAttribute("src"),
        alt: image.alt,
        loaded: image.naturalWidth > 0,
      })),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image.alt, String(image.src)).not.toBe("");
    // Lazy images below the fold load once scrolled to; the full-page screenshots scrolled through them.
    expect(images.filter((image) => !image.loaded)).toEqual([]);
    expect(await page.$$eval("script[src]", (all) => all.length)).toBe(0);
    await page.close();
  });

  it("the home page: no image mostly in the first screenful is lazy, at a phone's and a laptop's size", async () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1366, height: 768 },
    ]) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      await page.goto(`${harness.stack.edge.url}/`);
      const lazyAboveTheFold = await page.$$eval("img", (all) =>
        all
          // Mostly in view: a row whose top edge just peeks in is not what paints first.
          .filter((image) => {
            const box = image.getBoundingClientRect();
            return box.top + box.height / 2 < window.innerHeight && image.loading === "lazy";
          })
          .map((image) => image.getAttribute("src")),
      );
      expect(lazyAboveTheFold, `${viewport.width}×${viewport.height}`).toEqual([]);
      await page.close();
    }
  });

  it("a category page: accessible at both widths", async () => {
    const home = await open("/");
    const category = await home.getAttribute('a[href^="/designs/"]', "href");
    await home.close();
    expect(category).toMatch(/^\/designs\/[^/]+\/$/);
    const page = await open(category ?? "");
    await checkEveryWidth(page, "category");
    await page.close();
  });

  it("a design page: accessible at both widths, its picture loaded at once, a link to start a card", async () => {
    const home = await open("/");
    const design = await home.getAttribute('a[href^="/design/"]', "href");
    await home.close();
    expect(design).toMatch(/^\/design\/[a-z0-9-]+\/$/);
    const page = await open(design ?? "");
    const start = page.getByRole("link", { name: "Start a group card with this design" });
    expect(await start.getAttribute("href")).toBe(`/create/?design=${design?.split("/")[2]}`);
    expect(await page.locator("main img").first().getAttribute("loading")).toBe("eager");
    await checkEveryWidth(page, "design");
    await page.close();
  });

  it("the watch sees what it looks for: the CSP refusing an injected inline script", async () => {
    const other = await harness.browser.newContext();
    const seen = await watchContext(other);
    const page = await other.newPage();
    await page.goto(`${harness.stack.edge.url}/`);
    // Added through the DevTools protocol, but the <script> it adds is the page's, so the CSP judges it.
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "alert('ran')";
      document.body.append(script);
    });
    await expect.poll(() => seen.cspViolations.length).toBeGreaterThan(0);
    expect(seen.cspViolations.join("\n")).toMatch(/script-src/);
    expect(seen.dialogs).toEqual([]);
    await page.evaluate(() => alert("a dialog the watch must see"));
    expect(seen.dialogs).toEqual(["alert: a dialog the watch must see"]);
    await other.close();
  });

  it("logged no console error, no CSP violation, no page error", async () => {
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });
});
