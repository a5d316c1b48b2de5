// What every browser test file shares: one local stack in a temp folder, one Chromium, and the screenshots.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { LocalStack, LocalStackOptions } from "../../infra/local/stack.ts";
import { startTestStack } from "../local/test-stack.ts";
import { launchChromium } from "./launch.ts";

const repositoryRoot = process.cwd();
/** Git-ignored; CI keeps it as the run's artefacts. */
export const screenshotFolder = join(repositoryRoot, "test-artifacts/screenshots");
/** A phone (the 390 px) and a common laptop. */
export const screenshotWidths = [390, 1366] as const;

export interface BrowserHarness {
  readonly stack: LocalStack;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserHarness(
  options: Pick<LocalStackOptions, "now"> = {},
): Promise<BrowserHarness> {
  const [testStack, browser] = await Promise.all([startTestStack("browser", options), launchChromium()]);
  return {
    stack: testStack.stack,
    browser,
    async close() {
      await browser.close();
      await testStack.close();
    },
  };
}

/**
 * Scrolls through the page as a reader would, so lazy images come in, and waits until every image has
 * loaded or failed. A full-page screenshot alone does not wait for them.
 */
export async function scrollThrough(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (let top = 0; top < document.documentElement.scrollHeight; top += window.innerHeight) {
      window.scrollTo(0, top);
      await frame();
    }
    await Promise.all(
      Array.from(document.images, (image) =>
        image.complete
          ? undefined
          : new Promise((resolve) => {
              image.addEventListener("load", resolve);
              image.addEventListener("error", resolve);
            }),
      ),
    );
    window.scrollTo(0, 0);
  });
}

/** Full-page screenshots of the page at each width, as `<name>-<width>.png`; the viewport is left at the last. */
export async function saveScreenshots(page: Page, name: string): Promise<string[]> {
  await mkdir(screenshotFolder, { recursive: true });
  const height = page.viewportSize()?.height ?? 800;
  const paths: string[] = [];
  for (const width of screenshotWidths) {
    await page.setViewportSize({ width, height });
    await scrollThrough(page);
    const path = join(screenshotFolder, `${name}-${width}.png`);
    await page.screenshot({ path, fullPage: true, animations: "disabled" });
    paths.push(path);
  }
  return paths;
}

/** How many pixels the page is wider than its viewport (0 when it fits; more and a phone scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
