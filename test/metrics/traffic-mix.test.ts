// The replayed mix: its shares, Zipf-like design popularity, image widths and formats, a few writes the
// cards API takes, card opens of made cards.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { progressBar } from "../../infra/metrics/traffic.ts";
import {
  imageFormats,
  imageWidths,
  seededRandom,
  trafficMix,
  trafficShares,
  zipfSampler,
} from "../../infra/metrics/traffic-mix.ts";
import { createCardBody, signBody } from "../../origin/cards/schema.ts";
import { designPath, designs } from "../../site/catalog/designs.ts";

describe("traffic mix", () => {
  it("draws ranks with Zipf-like popularity: the first far more than the tenth, every rank reachable", () => {
    const draw = zipfSampler(20, 1.1, seededRandom(1));
    const counts = new Array<number>(20).fill(0);
    for (let index = 0; index < 20_000; index += 1) {
      const rank = draw();
      counts[rank] = (counts[rank] ?? 0) + 1;
    }
    expect(counts[0]).toBeGreaterThan(5 * (counts[9] ?? 0));
    expect(counts.every((count) => count > 0)).toBe(true);
  });

  it("sends each kind of request in about its share", () => {
    const next = trafficMix(seededRandom(17), { assetPaths: ["/_astro/app.js"] });
    const requests = Array.from({ length: 10_000 }, next);
    const share = (test: (path: string, method: string) => boolean) =>
      requests.filter((request) => test(request.path, request.method)).length / requests.length;
    expect(share((path) => path.startsWith("/img/"))).toBeCloseTo(trafficShares.image, 1);
    // With no cards made, card opens open designs instead.
    expect(share((path) => path.startsWith("/design/"))).toBeCloseTo(
      trafficShares.designOpen + trafficShares.cardOpen,
      1,
    );
    expect(share((_, method) => method === "POST")).toBeCloseTo(trafficShares.write, 2);
    expect(share((path) => path.startsWith("/_astro/"))).toBeCloseTo(trafficShares.asset, 2);
  });

  it("asks for pictures in every width and format, and opens popular designs most", () => {
    const next = trafficMix(seededRandom(5));
    const requests = Array.from({ length: 5_000 }, next);
    const images = requests.filter((request) => request.path.startsWith("/img/"));
    for (const width of imageWidths)
      expect(images.some((request) => request.path.includes(`w=${width}&`))).toBe(true);
    for (const format of imageFormats)
      expect(images.some((request) => request.path.endsWith(`f=${format}`))).toBe(true);
    const opens = (index: number) =>
      requests.filter((request) => request.path === designPath(designs[index] ?? designs[0] ?? { slug: "" }))
        .length;
    expect(opens(0)).toBeGreaterThan(opens(designs.length - 1));
    const write = requests.find((request) => request.method === "POST");
    expect(write?.path).toBe("/api/cards");
    expect(JSON.parse(write?.body ?? "null")).toHaveProperty("design");
  });

  it("makes cards with bodies the cards API takes, signs open cards, and opens made cards by popularity", () => {
    const cards = ["delivered-1", "delivered-2", "open-1"].map((cardId) => ({
      cardId,
      signId: `sign-${cardId}`,
      organiserSecret: `secret-${cardId}`,
      delivered: cardId.startsWith("delivered"),
    }));
    const next = trafficMix(seededRandom(9), { cards, deliverAt: "2027-01-02T09:00" });
    const requests = Array.from({ length: 20_000 }, next);
    const creates = requests.filter((request) => request.path === "/api/cards");
    expect(creates.length).toBeGreaterThan(0);
    for (const create of creates.slice(0, 20)) {
      const parsed = v.safeParse(createCardBody, JSON.parse(create.body ?? "null"));
      expect(parsed.issues).toBeUndefined();
      expect(parsed.output).toMatchObject({ deliverAt: "2027-01-02T09:00", timeZone: "UTC" });
    }
    const signs = requests.filter((request) => request.path.endsWith("/signatures"));
    expect(signs.length).toBeGreaterThan(0);
    // Only a card still open for signing is signed.
    expect(new Set(signs.map((request) => request.path))).toEqual(
      new Set(["/api/sign/sign-open-1/signatures"]),
    );
    for (const sign of signs.slice(0, 20))
      expect(v.safeParse(signBody, JSON.parse(sign.body ?? "null")).issues).toBeUndefined();
    const reads = requests.filter((request) => request.path.startsWith("/api/cards/"));
    const opens = (cardId: string) =>
      requests.filter((request) => request.path.endsWith(`/${cardId}`)).length;
    expect(opens("delivered-1")).toBeGreaterThan(opens("open-1"));
    expect(requests.some((request) => request.path === "/c/open-1")).toBe(true);
    // A delivered card is read as its recipient reads it; one not yet delivered only as its organiser.
    for (const read of reads)
      expect(read.headers?.["x-organiser-secret"]).toBe(
        read.path.endsWith("open-1") ? "secret-open-1" : undefined,
      );
  });

  it("draws a progress bar", () => {
    expect(progressBar(0, 10, 10)).toBe("[----------] 0% 0/10");
    expect(progressBar(5, 10, 10)).toBe("[#####-----] 50% 5/10");
    expect(progressBar(10, 10, 10)).toBe("[##########] 100% 10/10");
  });
});
