// A signer whose message the organiser removed: on their next visit the sign page forgets it (the secret
// kept in localStorage goes) and says so plainly; a message of theirs still on the card stays theirs.
// In Chromium over the local edge, the organiser's removal made through the API as the organiser page does.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { call, cardBody, testNow } from "../cards/edge-client.ts";
import { expectNoAxeViolations } from "./axe.ts";
import { type BrowserHarness, startBrowserHarness } from "./harness.ts";
import { type ContextWatch, watchContext } from "./watch.ts";

let harness: BrowserHarness;
let edge: string;

beforeAll(async () => {
  harness = await startBrowserHarness({ now: () => testNow.getTime() });
  edge = harness.stack.edge.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

async function sign(page: Page, name: string, message: string): Promise<void> {
  await page.getByRole("textbox", { name: "Your name" }).fill(name);
  await page.getByRole("textbox", { name: "Your message" }).fill(message);
  await page.getByRole("button", { name: "Sign the card" }).click();
  // The thanks stay up from an earlier signature, so wait for this one in the browser's keeping.
  await expect.poll(async () => Object.values(await kept(page, signIdOf(page)))).toContain(name);
}

const signIdOf = (page: Page) => new URL(page.url()).pathname.slice("/s/".length);

/** The signatures this browser keeps for the link, as the page stored them: id → name. */
async function kept(page: Page, signId: string): Promise<Record<string, string>> {
  const stored = await page.evaluate((key) => localStorage.getItem(key), `goodgreets:signatures:${signId}`);
  const entries = JSON.parse(stored ?? "[]") as { signature: { id: string; name: string } }[];
  return Object.fromEntries(entries.map((entry) => [entry.signature.id, entry.signature.name]));
}

describe("the sign page after the organiser removed a signature", () => {
  it("forgets the removed one, says so, and keeps the other", { timeout: 90_000 }, async () => {
    const created = await call(edge, "/api/cards", { body: cardBody() });
    expect(created.status).toBe(201);
    const { card, links, organiserSecret } = created.json as CreatedCard;
    const signId = links.sign.slice("/s/".length);

    const context = await harness.browser.newContext({ viewport: { width: 390, height: 800 } });
    context.setDefaultTimeout(10_000);
    // A page load waits for its first pictures, which a cold cache has the resizer render: on a busy
    // machine that alone can pass the step timeout (seen on the catalog under two CPU-burning loops).
    context.setDefaultNavigationTimeout(60_000);
    const watch: ContextWatch = await watchContext(context);
    try {
      const page = await context.newPage();
      await page.goto(`${edge}${links.sign}`);
      await sign(page, "Ann", "Happy birthday!");
      await sign(page, "Bo", "Many happy returns from Bo");
      const before = await kept(page, signId);
      expect(Object.values(before).sort()).toEqual(["Ann", "Bo"]);
      const annId = Object.keys(before).find((id) => before[id] === "Ann") ?? "";

      // The organiser removes Ann's signature (organiser page → DELETE with the organiser secret).
      const removal = await call(edge, `/api/cards/${card.id}/signatures/${annId}`, {
        method: "DELETE",
        headers: { "x-organiser-secret": organiserSecret },
      });
      expect(removal.status).toBe(204);
      // What the page asks for each kept signature: gone is 404; one still there needs its own secret.
      const check = (id: string, headers: Record<string, string>) =>
        call(edge, `/api/sign/${signId}/signatures/${id}`, { headers });
      const boId = Object.keys(before).find((id) => before[id] === "Bo") ?? "";
      const secrets = JSON.parse(
        (await page.evaluate((key) => localStorage.getItem(key), `goodgreets:signatures:${signId}`)) ?? "[]",
      ) as { signature: { id: string }; secret: string }[];
      const secretOf = (id: string) => secrets.find((kept) => kept.signature.id === id)?.secret ?? "";
      expect((await check(annId, { "x-signature-secret": secretOf(annId) })).status).toBe(404);
      expect((await check(boId, { "x-signature-secret": secretOf(boId) })).status).toBe(204);
      expect((await check(boId, { "x-signature-secret": secretOf(annId) })).status).toBe(403);
      expect((await check(boId, {})).status).toBe(401);

      await page.reload();
      const notice = page.getByRole("status");
      await notice.getByText("The organiser removed your message from this card.").waitFor();
      const own = page.getByRole("region", { name: "Your signature" });
      await own.getByText("Many happy returns from Bo").waitFor();
      expect(await own.getByText("Happy birthday!").count()).toBe(0);
      expect(Object.values(await kept(page, signId))).toEqual(["Bo"]);
      // Bo's is still the signer's own: it can still be edited.
      expect(await own.getByRole("button", { name: "Edit my signature" }).count()).toBe(1);
      await expectNoAxeViolations(page, "sign page with the removal notice");

      // Said once: the next visit has nothing to say.
      await page.reload();
      await own.getByText("Many happy returns from Bo").waitFor();
      expect(await page.getByText(/The organiser removed/).count()).toBe(0);
      expect(Object.values(await kept(page, signId))).toEqual(["Bo"]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
