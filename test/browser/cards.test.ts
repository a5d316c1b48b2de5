// The whole card flow through the pages in Chromium, over the local edge: catalog → design → create →
// share → three signers → one edits their own → the organiser removes one and locks → the card preview.
// Every page is checked with axe and photographed at 390 and 1366 px; every text field carries a
// script-injection string that must come back as text, with no dialog and no CSP violation; the
// organiser secret must never reach a request line, a Referer or the edge's access log.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
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

/** Each field's text is a different attack, so a page that runs one shows which field let it through. */
const hostile = {
  recipientName: `<img src=x onerror=alert("recipient")>`,
  senderName: `"><svg onload=alert("sender")>`,
  title: `<script>alert("title")</script> Happy birthday!`,
  signerNames: [
    `<b onmouseover=alert("n1")>Ann</b>`,
    `Bo</p><script>alert("n2")</script>`,
    `{{7*7}} \${7*7} Cy`,
  ],
  messages: [
    `Many happy returns <iframe src="javascript:alert('m1')"></iframe>`,
    `Line one\n<a href="javascript:alert('m2')">line two</a>`,
    `<style>body{display:none}</style>Cheers!`,
  ],
};

let harness: BrowserHarness;
let edge: string;
const watches: ContextWatch[] = [];

async function newWatchedContext(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    timezoneId: "Europe/London",
    locale: "en-GB",
  });
  // A step that fails should fail in seconds, not hold the file for Playwright's 30 s default.
  context.setDefaultTimeout(10_000);
  // A page load waits for its first pictures, which a cold cache has the resizer render: on a busy
  // machine that alone can pass the step timeout (seen on the catalog under two CPU-burning loops).
  context.setDefaultNavigationTimeout(60_000);
  watches.push(await watchContext(context));
  return { context, page: await context.newPage() };
}

async function checkPage(page: Page, name: string): Promise<void> {
  await saveScreenshots(page, name);
  for (const width of screenshotWidths) {
    await page.setViewportSize({ width, height: 900 });
    expect.soft(await horizontalOverflow(page), `${name} at ${width} px`).toBe(0);
    await expectNoAxeViolations(page, `${name} at ${width} px`);
  }
}

/** The API's date `days` ahead, as a date input wants it: the page's windows follow the API's clock. */
async function dateAhead(days: number): Promise<string> {
  const { now } = (await (await fetch(`${edge}/api/time`)).json()) as { now: string };
  return new Date(Date.parse(now) + days * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  harness = await startBrowserHarness();
  edge = harness.stack.edge.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

/** Elements an injected string would have made had it been parsed as HTML, as the start of their markup. */
async function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll(
        "main iframe, main script:not([src^='/_astro/']), main style, main [onerror], main [onload], main [onmouseover], main a[href^='javascript:']",
      ),
      (element) => element.outerHTML.slice(0, 120),
    ),
  );
}

async function expectShownAsText(page: Page, texts: readonly string[]): Promise<void> {
  for (const text of texts) expect(await page.getByText(text).count(), text).toBeGreaterThan(0);
  expect(await injectedElements(page)).toEqual([]);
}

describe("a group card through the pages", { timeout: 180_000 }, () => {
  let organiser: { context: BrowserContext; page: Page };
  const signers: { context: BrowserContext; page: Page }[] = [];
  let signLink = "";
  let organiserLink = "";
  let cardId = "";
  let secret = "";
  const confirmsSeen: string[] = [];

  it("from a design page, the organiser creates a card and gets the sign link", async () => {
    organiser = await newWatchedContext(harness.browser);
    const { page } = organiser;
    await page.goto(`${edge}/`);
    const designPath = await page.getAttribute('a[href^="/design/"]', "href");
    await page.goto(`${edge}${designPath}`);
    await page.getByRole("link", { name: "Start a group card with this design" }).click();
    await page.waitForURL(/\/create\/\?design=/);
    await page.getByRole("textbox", { name: "Recipient’s name" }).waitFor();
    await checkPage(page, "create");

    await page.getByRole("textbox", { name: "Recipient’s name" }).fill(hostile.recipientName);
    await page.getByRole("textbox", { name: "Recipient’s email" }).fill("sam@example.com");
    await page.getByRole("textbox", { name: "Your name" }).fill(hostile.senderName);
    await page.getByRole("textbox", { name: "Your email" }).fill("alex@example.com");
    await page.getByRole("textbox", { name: "Title line" }).fill(hostile.title);
    await page.getByLabel("Date").fill(await dateAhead(30));
    await page.getByLabel("Time", { exact: true }).fill("10:30");
    await page.getByRole("button", { name: "Create the card" }).click();

    // Created: the browser goes on to the organiser link, whose secret is in the fragment only.
    await page.waitForURL(/\/o\/[A-Za-z0-9_-]+#/);
    await page.getByRole("heading", { name: "Your card is ready to sign" }).waitFor();
    organiserLink = page.url();
    signLink = await page.getByRole("textbox", { name: "Sign link" }).inputValue();
    expect(signLink).toMatch(new RegExp(`^${edge}/s/[A-Za-z0-9_-]{22}$`));
    expect(organiserLink).toMatch(new RegExp(`^${edge}/o/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    expect(await page.getByRole("textbox", { name: "Organiser link" }).inputValue()).toBe(organiserLink);
    [cardId = "", secret = ""] = organiserLink.slice(`${edge}/o/`.length).split("#");
    await page
      .getByText(/\b0 people have signed|Nobody has signed|No one has signed/)
      .first()
      .waitFor();
    expect(await page.getByRole("img", { name: /QR code of the sign link/ }).count()).toBe(1);
    await expectShownAsText(page, [hostile.title, hostile.recipientName]);
    await checkPage(page, "share");
  });

  it("the sign link unfurls with the card's title, never the secret", async () => {
    const response = await fetch(signLink);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain(secret);
    expect(html).not.toContain("sam@example.com");
    expect(html).not.toContain(hostile.recipientName); // only ever escaped

    const { page } = organiser;
    await page.goto(signLink);
    const ogTitle = await page.getAttribute('meta[property="og:title"]', "content");
    expect(ogTitle).toContain(hostile.recipientName);
    expect(
      await page.evaluate(() => document.head.querySelectorAll("img, svg, iframe, script:not([src])").length),
    ).toBe(0);
  });

  it("three people sign, each in a browser of their own, and one edits their own signature", async () => {
    for (const [index, name] of hostile.signerNames.entries()) {
      const signer = await newWatchedContext(harness.browser);
      signers.push(signer);
      const { page } = signer;
      await page.goto(signLink);
      await page.getByRole("textbox", { name: "Your name" }).waitFor();
      if (index === 0) await checkPage(page, "sign");
      await page.getByRole("textbox", { name: "Your name" }).fill(name);
      await page.getByRole("textbox", { name: "Your message" }).fill(hostile.messages[index] ?? "");
      await page.getByRole("button", { name: "Sign the card" }).click();
      await page.getByText("Thank you! Your signature is on the card.").waitFor();
      await expectShownAsText(page, [name]);
    }

    const { page } = signers[0] ?? organiser;
    await page.reload();
    await page.getByRole("button", { name: "Edit my signature" }).click();
    // Two forms on the page now (form-feedback.test.ts checks each keeps its own labels); the edit is the
    // one in "Your signature".
    await expectNoAxeViolations(page, "sign page, editing one's own signature");
    await page
      .getByRole("region", { name: "Your signature" })
      .getByRole("textbox", { name: "Your message" })
      .fill("Edited: <u>still</u> text");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Your signature is updated.").waitFor();
    await expectShownAsText(page, ["Edited: <u>still</u> text"]);
    await checkPage(page, "sign-own-signature");
  });

  it("the organiser sees the signatures, removes one and locks signing", async () => {
    const page = await organiser.context.newPage();
    await page.goto(organiserLink);
    await page.getByRole("heading", { name: "Signatures (3)" }).waitFor();
    await expectShownAsText(page, [hostile.title, ...hostile.signerNames, "Edited: <u>still</u> text"]);
    await checkPage(page, "organiser");

    const removed = hostile.signerNames[1] ?? "";
    await page.getByRole("button", { name: `Remove ${removed}’s signature` }).click();
    confirmsSeen.push(`confirm: Remove ${removed}’s signature? This cannot be undone.`);
    await page.getByRole("heading", { name: "Signatures (2)" }).waitFor();
    await page.getByRole("button", { name: "Lock signing" }).click();
    await page.getByText("Signing is locked.", { exact: true }).waitFor();
    expect(await page.getByText(removed).count()).toBe(0);

    const stored = await fetch(`${edge}/api/cards/${cardId}/organiser`, {
      headers: { "x-organiser-secret": secret },
    });
    const view = (await stored.json()) as {
      card: { locked: boolean };
      signatures: { name: string; message: string }[];
    };
    expect(view.card.locked).toBe(true);
    expect(view.signatures.map(({ name, message }) => ({ name, message }))).toEqual([
      { name: hostile.signerNames[0], message: "Edited: <u>still</u> text" },
      { name: hostile.signerNames[2], message: hostile.messages[2] },
    ]);
  });

  it("signing is closed for the signers, with a plain message", async () => {
    const { page } = signers[2] ?? organiser;
    await page.reload();
    await page.getByRole("heading", { name: "Signing has closed" }).waitFor();
    expect(await page.getByRole("button", { name: "Sign the card" }).count()).toBe(0);
    // This browser keeps its own signature to show, and sees no one else's before delivery.
    await expectShownAsText(page, [hostile.messages[2] ?? ""]);
    expect(await page.getByText("Edited: <u>still</u> text").count()).toBe(0);
    await checkPage(page, "sign-closed");
  });

  it("the organiser previews the card; without the secret it does not open", async () => {
    const organiserPage = organiser.context.pages().at(-1);
    if (organiserPage === undefined) throw new Error("the organiser page is gone");
    await organiserPage.getByRole("link", { name: "Preview the card" }).click();
    await organiserPage.waitForURL(`${edge}/c/${cardId}#${secret}`);
    await organiserPage.getByRole("list", { name: "Signatures" }).waitFor();
    await expectShownAsText(organiserPage, [
      hostile.title,
      hostile.signerNames[0] ?? "",
      hostile.messages[2] ?? "",
    ]);
    expect(await organiserPage.getByText(hostile.signerNames[1] ?? "").count()).toBe(0);
    await checkPage(organiserPage, "card");

    const stranger = await newWatchedContext(harness.browser);
    await stranger.page.goto(`${edge}/c/${cardId}`);
    await stranger.page.getByRole("heading", { name: "This card can’t be opened" }).waitFor();
  });

  it("capability pages keep their links private: no Referer, no indexing, nothing from another origin", async () => {
    for (const path of [`/o/${cardId}`, `/c/${cardId}`, new URL(signLink).pathname]) {
      const response = await fetch(`${edge}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(response.headers.get("x-robots-tag"), path).toMatch(/noindex/);
      await response.body?.cancel();
    }
    const foreign = watches
      .flatMap((watch) => watch.requestLines)
      .filter((line) => !line.startsWith("Referer: ") && !line.split(" ")[1]?.startsWith(`${edge}/`));
    expect(foreign).toEqual([]);
  });

  it("never ran an injected script, broke the CSP or sent the organiser secret anywhere", async () => {
    expect(secret).toHaveLength(43);
    for (const watch of watches) {
      expect(watch.dialogs.filter((dialog) => !confirmsSeen.includes(dialog))).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.cspViolations).toEqual([]);
      expect(watch.requestLines.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(watches.flatMap((watch) => watch.dialogs)).toEqual(confirmsSeen);
    // It did travel, in its header, from the organiser's browser and no one else's.
    const [organiserWatch, ...others] = watches;
    expect(new Set(organiserWatch?.organiserSecretHeaders)).toEqual(new Set([secret]));
    expect(others.flatMap((watch) => watch.organiserSecretHeaders)).toEqual([]);
    await harness.stack.edge.accessLog?.flush();
    const directory = harness.stack.accessLogDirectory;
    const log = (
      await Promise.all((await readdir(directory)).map((file) => readFile(join(directory, file), "utf8")))
    ).join("");
    expect(log).toContain(`/api/cards/${cardId}/organiser`);
    expect(log).not.toContain(secret);
  });
});
