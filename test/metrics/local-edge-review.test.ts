// The review end to end on the local edge: replayed traffic, its access logs reviewed, the HTML report
// served as `npm start` serves it and opened in Chromium with the network cut off; the charts are drawn.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { htmlReport } from "../../infra/metrics/html-report.ts";
import { startReportServer } from "../../infra/metrics/report-server.ts";
import { reviewEdgeLogs } from "../../infra/metrics/review.ts";
import { replayTraffic } from "../../infra/metrics/traffic.ts";
import { seededRandom, trafficMix } from "../../infra/metrics/traffic-mix.ts";
import { type BrowserHarness, screenshotFolder, startBrowserHarness } from "../browser/harness.ts";

let harness: BrowserHarness;
let reportFolder: string;

beforeAll(async () => {
  harness = await startBrowserHarness();
  reportFolder = await mkdtemp(join(tmpdir(), "edge-report-"));
}, 180_000);
afterAll(async () => {
  await harness?.close();
  await rm(reportFolder, { recursive: true, force: true });
});

describe("edge metrics on the local edge", () => {
  it("reviews replayed traffic, and the HTML report draws its charts offline", async () => {
    const replay = await replayTraffic({
      baseUrl: harness.stack.edge.url,
      count: 600,
      concurrency: 8,
      next: trafficMix(seededRandom(17)),
    });
    expect(replay.failures).toBe(0);
    await harness.stack.edge.accessLog?.flush();

    const metrics = await reviewEdgeLogs({
      paths: [harness.stack.accessLogDirectory],
      behaviours: distribution.behaviours,
      now: new Date(),
    });
    expect(metrics.requests).toBe(600);
    expect(metrics.input.malformedLines).toBe(0);
    // What the viewers saw in X-Cache is what the log says, request for request.
    expect(metrics.resultTypes.hit).toBe(replay.cache.Hit ?? 0);
    expect(metrics.resultTypes.miss).toBe(replay.cache.Miss ?? 0);
    expect(metrics.hitRatio).toBeGreaterThan(0);
    expect(metrics.byBehaviour.map((entry) => entry.behaviour).sort()).toEqual(["*", "/api/*", "/img/*"]);
    expect(metrics.window.complete).toBe(false);

    const file = join(reportFolder, "edge-metrics.html");
    await writeFile(file, await htmlReport(metrics));
    const server = await startReportServer({ file, port: 0 });
    const page = await harness.browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      const requested: string[] = [];
      // Offline: anything but the report itself is refused, so an uninlined script would fail the charts.
      await page.route("**/*", (route) => {
        requested.push(route.request().url());
        return route.request().url() === server.url ? route.continue() : route.abort();
      });
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.charts !== undefined);
      expect(requested).toEqual([server.url]);
      expect(await page.evaluate(() => document.body.dataset.charts)).toBe("4");
      // Each chart's canvas has drawn pixels, not just a blank frame.
      const drawn = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLCanvasElement>(".uplot canvas")].map((canvas) => {
          const pixels = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
          let painted = 0;
          for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) painted += 1;
          return painted;
        }),
      );
      expect(drawn).toHaveLength(4);
      for (const painted of drawn) expect(painted).toBeGreaterThan(100);
      expect(await page.textContent("body")).toContain("hit ratio");
      await mkdir(screenshotFolder, { recursive: true });
      await page.screenshot({ path: join(screenshotFolder, "edge-metrics-report.png"), fullPage: true });
    } finally {
      await page.close();
      await server.close();
    }
  }, 300_000);
});
