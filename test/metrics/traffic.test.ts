// `npm run traffic` against the local stack: its cards are made and delivered through the real API, its
// writes are taken (2xx), and its card opens read delivered cards, kept at the edge.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import { type LocalStack, startLocalStack } from "../../infra/local/stack.ts";
import { reviewEdgeLogs } from "../../infra/metrics/review.ts";
import { replayTraffic, seedCards } from "../../infra/metrics/traffic.ts";
import { seededRandom, trafficMix } from "../../infra/metrics/traffic-mix.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "goodgreets-traffic-"));
  // PostgreSQL runs as its own user and must reach its folder.
  await chmod(dataDir, 0o711);
  // The stack's clock runs 30 times the real pace, so the cards due at the minute after next are due
  // within a few real seconds and the Scheduler stand-in (polling) fires them.
  const started = Date.now();
  const at = Date.parse("2027-03-01T09:00:00Z");
  stack = await startLocalStack({
    dataDir,
    siteFolder: inject("siteFolder"),
    artFolder: join(repositoryRoot, "site/catalog/art"),
    repositoryRoot,
    ports: { edge: 0, s3: 0, dataApi: 0, functionUrl: 0 },
    now: () => at + (Date.now() - started) * 30,
    schedulerPollMilliseconds: 250,
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm run traffic", () => {
  it("makes and delivers cards, has its writes taken, and opens delivered cards from the edge's cache", async () => {
    const { cards, deliverAt } = await seedCards({
      baseUrl: stack.edge.url,
      deliver: 3,
      open: 2,
      waitMs: 120_000,
    });
    expect(cards.filter((card) => card.delivered)).toHaveLength(3);
    expect(deliverAt).toMatch(/^2027-03-0[12]T\d{2}:\d{2}$/);

    const replay = await replayTraffic({
      baseUrl: stack.edge.url,
      count: 600,
      concurrency: 8,
      next: trafficMix(seededRandom(3), { cards, deliverAt }),
    });
    expect(replay.failures).toBe(0);
    // Every request taken: writes made cards (201) and signatures (201), opens read real cards (200).
    expect(Object.keys(replay.statuses).every((status) => /^2\d\d$/.test(status))).toBe(true);
    expect(replay.statuses["201"]).toBeGreaterThan(0);

    await stack.edge.accessLog?.flush();
    const metrics = await reviewEdgeLogs({
      paths: [stack.accessLogDirectory],
      behaviours: distribution.behaviours,
      now: new Date(),
    });
    const cardReads = metrics.byBehaviour.find((entry) => entry.behaviour === "/api/cards/*");
    expect(cardReads?.hits).toBeGreaterThan(0);
  }, 300_000);
});
