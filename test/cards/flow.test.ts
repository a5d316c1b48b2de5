// The whole card flow through the local edge: create → sign ×3 → edit one → the organiser removes one →
// lock → delivered → read, with the stored rows checked at each step and the delivered card's read a
// cache Hit the second time. The organiser secret never reaches a request line or the access log.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import type {
  CardView,
  CreatedCard,
  CreatedSignature,
  OrganiserView,
  SignPageView,
} from "../../origin/cards/views.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";
import { call, cardBody, testNow } from "./edge-client.ts";

let testStack: TestStack | undefined;
let stack: LocalStack;
let client: RDSDataClient;
let database: Database;
let base: string;

beforeAll(async () => {
  testStack = await startTestStack("cards", {
    now: () => testNow.getTime(),
  });
  stack = testStack.stack;
  base = stack.edge.url;
  client = new RDSDataClient(standInClientConfig(stack.dataApi.url));
  database = createDatabase({ ...localDatabase, client });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await testStack?.close();
});

const signatureRows = (cardId: string) =>
  database.query<{ id: string; name: string; message: string; colour: string | null }>(
    "SELECT id::text AS id, name, message, colour FROM signatures WHERE card_id = :cardId ORDER BY id",
    { cardId },
  );

describe("a card from creation to its delivered read", () => {
  it("keeps every one of 100 signatures sent at once, and none after the lock", {
    timeout: 120_000,
  }, async () => {
    const { card, links, organiserSecret } = (await call(base, "/api/cards", { body: cardBody() }))
      .json as CreatedCard;
    const signPath = `/api/sign/${links.sign.slice(3)}/signatures`;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        call(base, signPath, { body: { name: `Signer ${index}`, message: `Message ${index}` } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(201));
    const [{ count }] = (await database.query<{ count: number }>(
      "SELECT count(*)::integer AS count FROM signatures WHERE card_id = :id",
      { id: card.id },
    )) as [{ count: number }];
    expect(count).toBe(100);
    // Signatures racing the lock: each is either kept or refused, never lost; after it, all are refused.
    const racing = Array.from({ length: 20 }, (_, index) =>
      call(base, signPath, { body: { name: `Late ${index}`, message: "Hi" } }),
    );
    const lock = call(base, `/api/cards/${card.id}/lock`, {
      method: "POST",
      headers: { "x-organiser-secret": organiserSecret },
    });
    const late = await Promise.all(racing);
    expect((await lock).status).toBe(200);
    expect(late.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
    expect((await call(base, signPath, { body: { name: "Later", message: "Hi" } })).status).toBe(409);
    const total = await database.query("SELECT 1 FROM signatures WHERE card_id = :id", { id: card.id });
    expect(total).toHaveLength(100 + late.filter((answer) => answer.status === 201).length);
  });

  it("escapes a title full of markup in the sign page's preview tags", { timeout: 60_000 }, async () => {
    const title = `"><script>alert('x')</script> $& Sam`;
    const created = await call(base, "/api/cards", {
      body: cardBody({ title, recipientName: "<b>Sam</b>" }),
    });
    const { links } = created.json as CreatedCard;
    const html = await (await fetch(`${base}${links.sign}`)).text();
    expect(html).toContain(
      '<meta property="og:description" content="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; $&amp; Sam">',
    );
    expect(html).toContain("<title>Sign &lt;b&gt;Sam&lt;/b&gt;’s card · GoodGreets</title>");
    expect(html).not.toContain("<script>alert");
    const unknown = await fetch(`${base}/s/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain("og:title");
  });

  it("runs the whole flow through the edge", { timeout: 120_000 }, async () => {
    const time = await call(base, "/api/time");
    expect(time.json).toEqual({ now: testNow.toISOString() });

    // Create.
    const created = await call(base, "/api/cards", { body: cardBody() });
    expect(created.status).toBe(201);
    const { card, links, organiserSecret } = created.json as CreatedCard;
    expect(card.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(links.organiser).toBe(`/o/${card.id}#${organiserSecret}`);
    expect(links.card).toBe(`/c/${card.id}`);
    expect(organiserSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(card.delivery).toEqual({
      deliverAt: "2027-04-15T09:00",
      timeZone: "Europe/London",
      deliverAtInstant: "2027-04-15T08:00:00.000Z",
      offset: "+01:00",
    });
    const [stored] = await database.query<Record<string, unknown>>(
      `SELECT c.title, c.status, c.sign_id, d.slug, api_instant(c.deliver_at) AS deliver_at,
         encode(c.organiser_secret_hash, 'hex') AS hash FROM cards c JOIN designs d ON d.id = c.design_id
       WHERE c.id = :id`,
      { id: card.id },
    );
    expect(stored).toMatchObject({
      title: "Happy birthday, Sam!",
      status: "scheduled",
      sign_id: links.sign.slice(3),
      slug: "balloon-bunch",
      deliver_at: "2027-04-15T08:00:00.000Z",
    });
    expect(stored?.hash).not.toContain(organiserSecret);
    const organiser = { "x-organiser-secret": organiserSecret };

    // The card and organiser links are their static shells, private: no referrer, not indexed.
    for (const link of [links.card, `/o/${card.id}`]) {
      const page = await fetch(`${base}${link}`);
      expect(page.status, link).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("referrer-policy")).toBe("no-referrer");
      expect(page.headers.get("x-robots-tag")).toBe("noindex, nofollow");
      expect(await page.text()).not.toContain(organiserSecret);
    }

    // Before delivery the card's data is the organiser's alone.
    expect((await call(base, `/api/cards/${card.id}`)).status).toBe(404);
    const preview = await call(base, `/api/cards/${card.id}`, { headers: organiser });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("cache-control")).toBe("no-store");

    // Sign three times.
    const signPath = `/api${links.sign.replace("/s/", "/sign/")}`;
    const signed: CreatedSignature[] = [];
    for (const [name, message] of [
      ["Ana", "Have a lovely day!"],
      ["Ben", "Many happy returns."],
      ["Cy", "<script>alert(1)</script> cake!"],
    ] as const) {
      const answer = await call(base, `${signPath}/signatures`, { body: { name, message, colour: "ocean" } });
      expect(answer.status).toBe(201);
      signed.push(answer.json as CreatedSignature);
    }
    expect((await signatureRows(card.id)).map((row) => row.name)).toEqual(["Ana", "Ben", "Cy"]);
    const signPage = (await call(base, signPath)).json as SignPageView;
    expect(signPage.card).toMatchObject({
      title: "Happy birthday, Sam!",
      signatureCount: 3,
      signingOpen: true,
    });
    expect(JSON.stringify(signPage)).not.toContain("@example.com");

    // The sign link's page carries the card's title for link previews, escaped, and is cached briefly.
    const shell = await fetch(`${base}${links.sign}`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get("content-type")).toMatch(/^text\/html/);
    expect(shell.headers.get("referrer-policy")).toBe("no-referrer");
    expect(shell.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    const html = await shell.text();
    expect(html).toContain('<meta property="og:title" content="Sign Sam’s card">');
    expect(html).toContain('<meta property="og:description" content="Happy birthday, Sam!">');
    // Absolute (Open Graph wants it so), from the site's origin the API is given: here the local edge's
    // address for people.
    expect(html).toContain(
      `<meta name="twitter:image" content="${stack.siteUrl}/img/catalog/balloon-bunch.svg?w=960">`,
    );
    expect(html).toContain(`<meta property="og:url" content="${stack.siteUrl}${links.sign}">`);
    expect(html).toContain('id="sign-card"');
    expect(html).not.toContain(organiserSecret);
    expect(html).not.toContain("@example.com");
    expect((await fetch(`${base}${links.sign}`)).headers.get("x-cache")).toBe("Hit from cloudfront");

    // Ben edits his own signature with his secret; Ana's secret cannot.
    const [ana, ben, cy] = signed as [CreatedSignature, CreatedSignature, CreatedSignature];
    const benPath = `${signPath}/signatures/${ben.signature.id}`;
    const edit = { name: "Ben", message: "Many happy returns, Sam!", font: "handwritten" };
    const wrong = await call(base, benPath, {
      method: "PUT",
      body: edit,
      headers: { "x-signature-secret": ana.secret },
    });
    expect(wrong.status).toBe(403);
    const edited = await call(base, benPath, {
      method: "PUT",
      body: edit,
      headers: { "x-signature-secret": ben.secret },
    });
    expect(edited.status).toBe(200);
    expect((await signatureRows(card.id))[1]).toMatchObject({
      message: "Many happy returns, Sam!",
      colour: null,
    });

    // The organiser removes Cy's.
    const removed = await call(base, `/api/cards/${card.id}/signatures/${cy.signature.id}`, {
      method: "DELETE",
      headers: organiser,
    });
    expect(removed.status).toBe(204);
    expect((await signatureRows(card.id)).map((row) => row.name)).toEqual(["Ana", "Ben"]);

    // Lock: signing closes.
    const locked = await call(base, `/api/cards/${card.id}/lock`, { method: "POST", headers: organiser });
    expect(locked.status).toBe(200);
    expect((locked.json as { card: OrganiserView["card"] }).card).toMatchObject({
      locked: true,
      signingOpen: false,
    });
    const late = await call(base, `${signPath}/signatures`, { body: { name: "Dee", message: "Too late?" } });
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ error: { code: "signing_closed" } });
    expect(await signatureRows(card.id)).toHaveLength(2);

    // Delivered, through the transition the delivery job uses; then anyone may read it, from the cache.
    expect(await markDelivered(database, card.id, new Date("2027-04-15T08:00:05Z"))).toBe(true);
    const first = await call(base, `/api/cards/${card.id}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(first.headers.get("cache-control")).toContain("s-maxage=31536000");
    const view = first.json as CardView;
    expect(view.card).toMatchObject({
      title: "Happy birthday, Sam!",
      status: "sent",
      deliveredAt: "2027-04-15T08:00:05.000Z",
    });
    expect(view.signatures.map((signature) => [signature.name, signature.message])).toEqual([
      ["Ana", "Have a lovely day!"],
      ["Ben", "Many happy returns, Sam!"],
    ]);
    expect(JSON.stringify(view)).not.toContain("@example.com");
    const second = await call(base, `/api/cards/${card.id}`);
    expect(second.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(second.json).toEqual(view);

    // The open beacon is never cached and records the first open only.
    for (let open = 0; open < 2; open += 1) {
      const beacon = await call(base, `/api/cards/${card.id}/opened`, { method: "POST" });
      expect(beacon.status).toBe(204);
      expect(beacon.headers.get("x-cache")).not.toBe("Hit from cloudfront");
    }
    const after = (await call(base, `/api/cards/${card.id}/organiser`, { headers: organiser }))
      .json as OrganiserView;
    expect(after.card).toMatchObject({ status: "sent", openedAt: testNow.toISOString() });

    // The secret was only ever in a header: no request line and no access-log line carries it.
    await stack.edge.accessLog?.flush();
    const files = await readdir(stack.accessLogDirectory);
    const log = (
      await Promise.all(files.map((file) => readFile(join(stack.accessLogDirectory, file), "utf8")))
    ).join("");
    expect(log).toContain(`/api/cards/${card.id}/lock`);
    expect(log).not.toContain(organiserSecret);
    expect(log).not.toContain(ben.secret);
  });
});
