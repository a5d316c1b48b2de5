// A realistic request mix for the local edge, so a metrics review has data: catalog pages, pictures in
// several widths and formats, design opens and card opens with Zipf-like popularity, the API, and a few
// writes (cards made, cards signed) with bodies the cards API takes (origin/cards/schema.ts).
import { categories, categoryPath, designImageUrl, designPath, designs } from "../../site/catalog/designs.ts";

export interface TrafficRequest {
  method: "GET" | "POST";
  path: string;
  /** JSON body of a write. */
  body?: string;
  headers?: Record<string, string>;
}

/** A card made before the replay (infra/metrics/traffic.ts), for card opens and signatures. */
export interface SeededCard {
  cardId: string;
  signId: string;
  organiserSecret: string;
  /** Delivered cards are open to anyone (and kept at the edge); others only to their organiser. */
  delivered: boolean;
}

export interface MixOptions {
  /** The built site's hashed assets. */
  assetPaths?: readonly string[];
  cards?: readonly SeededCard[];
  /** When the cards the mix makes are due: local wall time in UTC, "YYYY-MM-DDTHH:mm". */
  deliverAt?: string;
}

/** POST /api/cards's body: every field the API requires, a card due at `deliverAt` UTC. */
export function newCardBody(design: string, deliverAt: string): string {
  return JSON.stringify({
    design,
    title: "Happy birthday, Sam!",
    recipientName: "Sam",
    recipientEmail: "sam@example.com",
    senderName: "Alex",
    senderEmail: "alex@example.com",
    deliverAt,
    timeZone: "UTC",
  });
}

/** A local wall time in UTC as the API's deliverAt takes it. */
export const utcWallTime = (at: Date) => at.toISOString().slice(0, 16);

/** A seeded generator (mulberry32), so a replay and its test are repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks rank k (0-based) of `count` with probability ∝ 1/(k+1)^exponent: a few items get most opens. */
export function zipfSampler(count: number, exponent: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= count; rank += 1) {
    total += 1 / rank ** exponent;
    cumulative.push(total);
  }
  return () => {
    const target = random() * total;
    // Binary search: the first rank whose cumulative weight reaches the target.
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] ?? total) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

export const imageWidths = [320, 640, 960, 1280] as const;
export const imageFormats = ["webp", "avif", "jpeg"] as const;

/** Shares of the mix, summing to 1. */
export const trafficShares = {
  catalogPage: 0.3,
  image: 0.35,
  designOpen: 0.2,
  cardOpen: 0.05,
  api: 0.06,
  asset: 0.02,
  write: 0.02,
} as const;

export function trafficMix(random: () => number, options: MixOptions = {}): () => TrafficRequest {
  const { assetPaths = [], cards = [] } = options;
  // A day ahead by default: inside the API's window (after now, at most 3 months on).
  const deliverAt = options.deliverAt ?? utcWallTime(new Date(Date.now() + 86_400_000));
  const popularCard = zipfSampler(Math.max(cards.length, 1), 1.1, random);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const popularDesign = zipfSampler(designs.length, 1.1, random);
  const catalogPages = [categoryPath(), ...categories.map((category) => categoryPath(category.slug))];
  const shares = Object.entries(trafficShares) as [keyof typeof trafficShares, number][];
  return () => {
    const roll = random();
    let below = 0;
    const kind =
      shares.find(([, share]) => {
        below += share;
        return roll < below;
      })?.[0] ?? "catalogPage";
    const design = designs[popularDesign()] ?? designs[0];
    switch (kind) {
      case "image":
        return {
          method: "GET",
          path: `${designImageUrl(pick(designs))}?w=${pick(imageWidths)}&f=${pick(imageFormats)}`,
        };
      case "cardOpen": {
        const card = cards[popularCard()];
        if (!card) return { method: "GET", path: design ? designPath(design) : categoryPath() };
        // The card page's shell, or the card's data it fetches: anyone's once delivered, else the preview.
        if (random() < 0.5) return { method: "GET", path: `/c/${card.cardId}` };
        return {
          method: "GET",
          path: `/api/cards/${card.cardId}`,
          ...(card.delivered ? {} : { headers: { "x-organiser-secret": card.organiserSecret } }),
        };
      }
      case "designOpen":
        return { method: "GET", path: design ? designPath(design) : categoryPath() };
      case "api":
        return { method: "GET", path: "/api/health" };
      case "asset":
        return { method: "GET", path: assetPaths.length > 0 ? pick(assetPaths) : categoryPath() };
      case "write": {
        // Half the writes sign a card still open for signing, the rest make a card.
        const open = cards.filter((card) => !card.delivered);
        if (open.length > 0 && random() < 0.5)
          return {
            method: "POST",
            path: `/api/sign/${pick(open).signId}/signatures`,
            body: JSON.stringify({ name: "Robin", message: "Have a wonderful day!" }),
          };
        return { method: "POST", path: "/api/cards", body: newCardBody(design?.slug ?? "", deliverAt) };
      }
      default:
        return { method: "GET", path: pick(catalogPages) };
    }
  };
}
