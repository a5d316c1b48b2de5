// Cards with the sender's own picture, through the local edge: the accepted upload becomes the card's
// picture on every view; a picture not in the bucket, one already another card's, one without its
// description, both a design and a picture, or neither are each refused naming the field, nothing written.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localBuckets, localDatabase } from "../../infra/local/config.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import type { CardView, CreatedCard, OrganiserView, SignPageView } from "../../origin/cards/views.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { call, cardBody, testNow } from "../cards/edge-client.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";
import * as corpus from "./corpus.ts";
import { acceptedPicture, sendToS3, solveCaptcha } from "./upload-client.ts";

let testStack: TestStack | undefined;
let stack: LocalStack;
let client: RDSDataClient;
let database: Database;
let base: string;

beforeAll(async () => {
  testStack = await startTestStack("card-uploads", { now: () => testNow.getTime() });
  stack = testStack.stack;
  base = stack.edge.url;
  client = new RDSDataClient(standInClientConfig(stack.dataApi.url));
  database = createDatabase({ ...localDatabase, client });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await testStack?.close();
});

const description = "Sam & Alex on the beach, <laughing>";
const withPicture = (url: string, extra: Record<string, unknown> = {}) => {
  const { design: _design, ...rest } = cardBody();
  return { ...rest, upload: { url, alt: description }, ...extra };
};
const cardCount = async () =>
  Number((await database.query<{ n: number }>("SELECT count(*)::integer AS n FROM cards"))[0]?.n);
const errorOf = (json: unknown) =>
  (json as { error: { code: string; field?: string; message: string } }).error;

describe("the page's way to the bucket", () => {
  it("lets the site's pages POST to the images bucket: CSP connect-src and the bucket's CORS rule", async () => {
    const s3Origin = new URL(stack.s3.url).origin;
    const page = await fetch(`${base}/create/`);
    expect(page.headers.get("content-security-policy")).toContain(`connect-src 'self' ${s3Origin};`);
    // The edge's own address, and the one npm start prints (localhost): a browser sees two origins.
    const siteOrigins = [new URL(base).origin, new URL(base).origin.replace("//127.0.0.1:", "//localhost:")];
    expect(siteOrigins[1]).toMatch(/^http:\/\/localhost:\d+$/);
    for (const origin of siteOrigins) {
      const preflight = await fetch(`${stack.s3.url}/${localBuckets.images}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const stranger = await fetch(`${stack.s3.url}/${localBuckets.images}`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(stranger.status).toBe(403);
  });
});

describe("a card with the sender's own picture", { timeout: 120_000 }, () => {
  it("shows the accepted picture with its description and variants on the organiser, sign and card views", async () => {
    const url = await acceptedPicture(base, await corpus.jpeg(900, 1260));
    const created = await call(base, "/api/cards", { body: withPicture(url) });
    expect(created.status).toBe(201);
    const { card, links, organiserSecret } = created.json as CreatedCard;
    const picture = {
      slug: null,
      title: "The sender’s own picture",
      altText: description,
      imageUrl: url,
      srcset: [160, 320, 480, 640, 960, 1280].map((width) => `${url}?w=${width} ${width}w`).join(", "),
    };
    expect(card.design).toEqual(picture);

    const [row] = await database.query<{ design_id: number | null; upload_url: string; upload_alt: string }>(
      "SELECT design_id, upload_url, upload_alt FROM cards WHERE id = :id",
      { id: card.id },
    );
    expect(row).toEqual({ design_id: null, upload_url: url, upload_alt: description });

    const sign = await call(base, `/api/sign/${links.sign.slice(3)}`);
    expect((sign.json as SignPageView).card.design).toEqual(picture);
    const secret = { "x-organiser-secret": organiserSecret };
    const organiser = await call(base, `/api/cards/${card.id}/organiser`, { headers: secret });
    expect((organiser.json as OrganiserView).card.design).toEqual(picture);
    const preview = await call(base, `/api/cards/${card.id}`, { headers: secret });
    expect((preview.json as CardView).card.design).toEqual(picture);

    // The srcset's widths are served by the edge from the original the check stored.
    const variant = await fetch(`${base}${url}?w=320`, { headers: { accept: "image/webp" } });
    expect([variant.status, variant.headers.get("content-type")]).toEqual([200, "image/webp"]);

    // The picture is the card's: it cannot be swapped for a catalog design and left behind.
    const swap = await call(base, `/api/cards/${card.id}`, {
      method: "PATCH",
      body: { design: "balloon-bunch" },
      headers: secret,
    });
    expect([swap.status, errorOf(swap.json).code, errorOf(swap.json).field]).toEqual([
      409,
      "card_shows_upload",
      "design",
    ]);
  });

  it("refuses a picture that is not in the bucket: never uploaded, or uploaded but not checked", async () => {
    const before = await cardCount();
    const never = await call(base, "/api/cards", {
      body: withPicture("/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg"),
    });
    expect([never.status, errorOf(never.json).code, errorOf(never.json).field]).toEqual([
      400,
      "unknown_picture",
      "upload.url",
    ]);
    // Sent to S3 but never checked: it sits in uploads/, not img/uploads/, so no card may show it.
    const { uploadId, posted } = await sendToS3(base, await solveCaptcha(base), await corpus.jpeg());
    expect(posted.status).toBe(204);
    const unchecked = await call(base, "/api/cards", { body: withPicture(`/img/uploads/${uploadId}.jpg`) });
    expect([unchecked.status, errorOf(unchecked.json).code]).toEqual([400, "unknown_picture"]);
    expect(await cardCount()).toBe(before);
  });

  it("keeps one picture to one card: a second card claiming it gets a 409 naming the field", async () => {
    const url = await acceptedPicture(base, await corpus.jpeg());
    expect((await call(base, "/api/cards", { body: withPicture(url) })).status).toBe(201);
    const again = await call(base, "/api/cards", { body: withPicture(url) });
    expect([again.status, errorOf(again.json).code, errorOf(again.json).field]).toEqual([
      409,
      "picture_taken",
      "upload.url",
    ]);
    // Two cards claiming a fresh picture at once: the UNIQUE column lets exactly one have it.
    const fresh = await acceptedPicture(base, await corpus.png());
    const race = await Promise.all(
      [1, 2, 3].map(() => call(base, "/api/cards", { body: withPicture(fresh) })),
    );
    expect(race.map((answer) => answer.status).toSorted()).toEqual([201, 409, 409]);
    const owners = await database.query("SELECT id FROM cards WHERE upload_url = :url", { url: fresh });
    expect(owners).toHaveLength(1);
  });

  it.each([
    [
      "no description",
      { upload: { url: "/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg" } },
      "upload.alt",
      /alt is required/,
    ],
    [
      "a blank description",
      { upload: { url: "/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg", alt: "  " } },
      "upload.alt",
      /required/,
    ],
    [
      "an overlong description",
      { upload: { url: "/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg", alt: "x".repeat(301) } },
      "upload.alt",
      /at most 300/,
    ],
    [
      "a url outside the accepted pictures",
      { upload: { url: "/img/catalog/balloon-bunch.svg", alt: "A" } },
      "upload.url",
      /upload check answered/,
    ],
    [
      "a traversal url",
      { upload: { url: "/img/uploads/../catalog/AAAAAAAAAAAAAAAAAAAA.jpg", alt: "A" } },
      "upload.url",
      /upload check answered/,
    ],
    [
      "an unknown field in the upload",
      { upload: { url: "/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg", alt: "A", width: 3 } },
      "upload.width",
      /Unknown field/,
    ],
    [
      "both a design and a picture",
      { design: "balloon-bunch", upload: { url: "/img/uploads/AAAAAAAAAAAAAAAAAAAAAA.jpg", alt: "A" } },
      "design",
      /one of the two/,
    ],
    ["neither a design nor a picture", {}, "design", /one of the two/],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, change, field, message) => {
    const before = await cardCount();
    // JSON leaves out an undefined design: each case names the design only where it sends one.
    const body = { ...cardBody(), design: undefined, ...change };
    const answer = await call(base, "/api/cards", { body });
    expect(answer.status).toBe(400);
    expect(errorOf(answer.json).field).toBe(field);
    expect(errorOf(answer.json).message).toMatch(message);
    expect(await cardCount()).toBe(before);
  });
});
