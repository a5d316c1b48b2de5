// Deleting a card through the local edge keeps nothing of it: its row and signatures, its schedule, its
// picture's objects in S3 (the original and every variant), and the edge's copies of its data, sign page and
// picture, which the API invalidates through the CloudFront API stand-in. What the edge served from its
// cache before the delete (X-Cache: Hit) is a 404 or 403 from the origin after it.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localBuckets, localDatabase, localDistributionId } from "../../infra/local/config.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { standInClientConfig, standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { pictureCachePaths } from "../../origin/edge-cache/card-paths.ts";
import { scheduleName } from "../../origin/schedules/card-schedules.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";
import { call, cardBody, testNow } from "./edge-client.ts";

let testStack: TestStack | undefined;
let stack: LocalStack;
let client: RDSDataClient;
let s3: S3Client;
let database: Database;
let base: string;

beforeAll(async () => {
  testStack = await startTestStack("delete", { now: () => testNow.getTime() });
  stack = testStack.stack;
  base = stack.edge.url;
  client = new RDSDataClient(standInClientConfig(stack.dataApi.url));
  s3 = standInS3Client(stack.s3.url);
  database = createDatabase({ ...localDatabase, client });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  s3?.destroy();
  await testStack?.close();
});

async function createSignedCard() {
  const created = (await call(base, "/api/cards", { body: cardBody() })).json as CreatedCard;
  const signId = created.links.sign.slice(3);
  const signed = await call(base, `/api/sign/${signId}/signatures`, {
    body: { name: "Ana", message: "Have a lovely day!" },
  });
  expect(signed.status).toBe(201);
  return { id: created.card.id, signId, organiser: { "x-organiser-secret": created.organiserSecret } };
}

const rowsOf = async (cardId: string) =>
  (
    await database.query<{ cards: number; signatures: number }>(
      `SELECT (SELECT count(*)::integer FROM cards WHERE id = :cardId) AS cards,
         (SELECT count(*)::integer FROM signatures WHERE card_id = :cardId) AS signatures`,
      { cardId },
    )
  )[0];

const keysUnder = async (prefix: string) =>
  (
    (await s3.send(new ListObjectsV2Command({ Bucket: localBuckets.images, Prefix: prefix }))).Contents ?? []
  ).map((object) => object.Key);

describe("deleting a card", { timeout: 120_000 }, () => {
  it("removes a delivered card's data and sign page from the edge, with its row, signatures and schedule", async () => {
    const card = await createSignedCard();
    expect(stack.scheduler.schedules().map((schedule) => schedule.Name)).toContain(scheduleName(card.id));
    expect(await markDelivered(database, card.id, new Date("2027-04-15T08:00:05Z"))).toBe(true);

    const first = await call(base, `/api/cards/${card.id}`);
    expect([first.status, first.headers.get("x-cache")]).toEqual([200, "Miss from cloudfront"]);
    const second = await call(base, `/api/cards/${card.id}`);
    expect([second.status, second.headers.get("x-cache")]).toEqual([200, "Hit from cloudfront"]);
    await fetch(`${base}/s/${card.signId}`).then((response) => response.arrayBuffer());
    const shell = await fetch(`${base}/s/${card.signId}`);
    expect([shell.status, shell.headers.get("x-cache")]).toEqual([200, "Hit from cloudfront"]);
    await shell.arrayBuffer();

    // Anyone without the organiser's secret is refused, and nothing changes.
    expect((await call(base, `/api/cards/${card.id}`, { method: "DELETE" })).status).toBe(401);
    expect((await call(base, `/api/cards/${card.id}`)).headers.get("x-cache")).toBe("Hit from cloudfront");

    const deleted = await call(base, `/api/cards/${card.id}`, { method: "DELETE", headers: card.organiser });
    expect(deleted.status).toBe(204);
    expect(await rowsOf(card.id)).toEqual({ cards: 0, signatures: 0 });
    expect(stack.scheduler.schedules().map((schedule) => schedule.Name)).not.toContain(scheduleName(card.id));
    const [invalidation] = stack.cloudfront.invalidations(localDistributionId);
    expect(invalidation?.batch.paths).toEqual([`/api/cards/${card.id}`, `/s/${card.signId}`]);
    expect(invalidation?.status).toBe("Completed");

    const after = await call(base, `/api/cards/${card.id}`);
    expect(after.status).toBe(404);
    expect(after.headers.get("x-cache")).not.toBe("Hit from cloudfront");
    const shellAfter = await fetch(`${base}/s/${card.signId}`);
    expect(shellAfter.status).toBe(404);
    expect(shellAfter.headers.get("x-cache")).not.toBe("Hit from cloudfront");
    await shellAfter.arrayBuffer();
    // The row is gone, so a second delete finds no card.
    expect(
      (await call(base, `/api/cards/${card.id}`, { method: "DELETE", headers: card.organiser })).status,
    ).toBe(404);
  });

  it("deletes the card's picture from S3, original and variants, and from the edge", async () => {
    const card = await createSignedCard();
    const uploadUrl = "/img/uploads/DeleteTestPicture00001.jpg";
    const picture = await sharp({
      create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 60, b: 90 } },
    })
      .jpeg()
      .toBuffer();
    await s3.send(
      new PutObjectCommand({
        Bucket: localBuckets.images,
        Key: uploadUrl.slice(1),
        Body: picture,
        ContentType: "image/jpeg",
      }),
    );
    // The card shows the picture instead of a design, as a card made from an upload does.
    await database.query(
      "UPDATE cards SET design_id = NULL, upload_url = :uploadUrl, upload_alt = 'A red square' WHERE id = :id",
      { id: card.id, uploadUrl },
    );
    const variant = `${base}${uploadUrl}?w=320`;
    const accept = { accept: "image/webp,*/*" };
    const rendered = await fetch(variant, { headers: accept });
    expect([rendered.status, rendered.headers.get("x-cache")]).toEqual([200, "Miss from cloudfront"]);
    await rendered.arrayBuffer();
    const cached = await fetch(variant, { headers: accept });
    expect([cached.status, cached.headers.get("x-cache")]).toEqual([200, "Hit from cloudfront"]);
    await cached.arrayBuffer();
    const original = await fetch(`${base}${uploadUrl}`);
    expect(original.status).toBe(200);
    await original.arrayBuffer();
    expect(await keysUnder(uploadUrl.slice(1))).toEqual([
      uploadUrl.slice(1),
      `${uploadUrl.slice(1)}/w320.webp`,
    ]);

    const deleted = await call(base, `/api/cards/${card.id}`, { method: "DELETE", headers: card.organiser });
    expect(deleted.status).toBe(204);
    expect(await keysUnder(uploadUrl.slice(1))).toEqual([]);
    // Exact paths only (no wildcard, of which CloudFront allows just 15 in progress): the original and
    // every variant URI the viewer-request function can make, the one served here among them.
    const paths = stack.cloudfront.invalidations(localDistributionId)[0]?.batch.paths ?? [];
    expect(paths).toEqual([`/s/${card.signId}`, ...pictureCachePaths(uploadUrl)]);
    expect(paths).toContain(`${uploadUrl}/w320.webp`);
    expect(paths.filter((path) => path.includes("*"))).toEqual([]);
    for (const url of [variant, `${base}${uploadUrl}`]) {
      const gone = await fetch(url, { headers: accept });
      expect([403, 404]).toContain(gone.status);
      expect(gone.headers.get("x-cache")).not.toBe("Hit from cloudfront");
      await gone.arrayBuffer();
    }
  });
});
