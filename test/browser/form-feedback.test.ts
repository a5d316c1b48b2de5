// What a newcomer meets when the forms say no or the page changes under them, found walking the product
// at 390 and 1366 px: each refusal shown at its field, said once, in the product's words, the failing control
// marked; the keyboard's place kept as forms open and close; fields keeping their own labels; the organiser
// page's layout; long unbroken typed text wrapping instead of pushing a phone sideways.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownPictureLabel } from "../../site/islands/create/own-picture.ts";
import * as corpus from "../images/corpus.ts";
import { type BrowserHarness, horizontalOverflow, startBrowserHarness } from "./harness.ts";

let harness: BrowserHarness;
let edge: string;
let context: BrowserContext;

beforeAll(async () => {
  harness = await startBrowserHarness();
  edge = harness.stack.edge.url;
  context = await harness.browser.newContext({
    viewport: { width: 390, height: 900 },
    timezoneId: "Europe/London",
    locale: "en-GB",
  });
  context.setDefaultTimeout(15_000);
  // A page load waits for its first pictures, which a cold cache has the resizer render.
  context.setDefaultNavigationTimeout(60_000);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

/** The API's date `days` ahead, as a date input wants it: the page's windows follow the API's clock. */
async function dateAhead(days: number): Promise<string> {
  const { now } = (await (await fetch(`${edge}/api/time`)).json()) as { now: string };
  return new Date(Date.parse(now) + days * 86_400_000).toISOString().slice(0, 10);
}

async function openCreateForm(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${edge}/create/?design=balloon-bunch`);
  await page.getByRole("textbox", { name: "Recipient’s name" }).waitFor();
  return page;
}

async function fillWho(page: Page): Promise<void> {
  await page.getByRole("textbox", { name: "Recipient’s name" }).fill("Sam");
  await page.getByRole("textbox", { name: "Recipient’s email" }).fill("sam@example.com");
  await page.getByRole("textbox", { name: "Your name" }).fill("Alex");
  await page.getByRole("textbox", { name: "Your email" }).fill("alex@example.com");
  await page.getByRole("textbox", { name: "Title line" }).fill("Happy birthday, Sam!");
}

/** Creates a card through the form (a catalog design, due in a week) and waits for its organiser page. */
async function createCard(page: Page): Promise<void> {
  await fillWho(page);
  await page.getByLabel("Date").fill(await dateAhead(7));
  await page.getByRole("button", { name: "Create the card" }).click();
  await page.waitForURL(/\/o\/[A-Za-z0-9_-]+#/);
  await page.getByRole("heading", { name: "Your card is ready to sign" }).waitFor();
}

/** The colour of a control's top border, as the page paints it. */
const borderColour = (page: Page, selector: string) =>
  page.$eval(selector, (element) => getComputedStyle(element).borderTopColor);

describe("the create form's refusals", { timeout: 120_000 }, () => {
  it("marks the date and time as invalid as it marks every other field", async () => {
    const page = await openCreateForm();
    await page.getByRole("button", { name: "Create the card" }).click();
    await page.getByText("Pick the delivery date.").waitFor();
    const invalid = await borderColour(page, "#recipientName");
    expect(await borderColour(page, "#senderName")).toBe(invalid);
    expect(await page.getAttribute("#deliverDate", "aria-invalid")).toBe("true");
    expect(await borderColour(page, "#deliverDate")).toBe(invalid);
    expect(await borderColour(page, "#deliverTime")).toBe(invalid);
    // A valid control keeps its own border.
    expect(await borderColour(page, "#timeZone")).not.toBe(invalid);
    await page.close();
  });

  it("says a delivery time that has passed once, under the time, not again in the preview above it", async () => {
    const page = await openCreateForm();
    await fillWho(page);
    await page.getByLabel("Date").fill(await dateAhead(-2));
    const passed = "The delivery time has passed. Pick a time in the future.";
    // Before sending, the preview says it as the sender picks the time.
    await page.locator("#delivery-preview").getByText(passed).waitFor();
    await page.getByRole("button", { name: "Create the card" }).click();
    await page.locator("#deliverAt-error").getByText(passed).waitFor();
    expect(await page.getByText(passed).count()).toBe(1);
    expect(await page.locator("#delivery-preview").isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("deliverDate");
    await page.close();
  });

  it("refuses a date past the 3-month window in the product's words, not the browser's", async () => {
    const page = await openCreateForm();
    await fillWho(page);
    await page.getByLabel("Date").fill(await dateAhead(200));
    await page.getByRole("button", { name: "Create the card" }).click();
    const error = page.locator("#deliverAt-error");
    await error.waitFor();
    // The window's end on the sender's clock, in words and with the zone they picked, not an ISO offset.
    expect(await error.textContent()).toMatch(
      /^A card can be delivered at most 3 months ahead: by \w+day,? \d{1,2} \w+ \d{4},? (at )?\d{2}:\d{2} \(Europe\/London\)\.$/,
    );
    expect(await page.getByText(/Value must be/).count()).toBe(0);
    await page.close();
  });
});

describe("the create form with the sender's own picture", { timeout: 120_000 }, () => {
  it("asks for the picture at the file input until one is accepted, not as a design error", async () => {
    const page = await openCreateForm();
    await fillWho(page);
    await page.getByLabel("Date").fill(await dateAhead(7));
    await page.getByRole("combobox", { name: "Design" }).selectOption({ label: ownPictureLabel });
    const file = page.getByLabel("Your picture");
    await file.waitFor();
    await page.getByRole("button", { name: "Create the card" }).click();
    const asked = page.locator("#uploadFile-error");
    await asked.getByText("Choose the picture to upload.").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("uploadFile");
    expect(await page.getAttribute("#uploadFile", "aria-invalid")).toBe("true");
    expect(await page.getAttribute("#design", "aria-invalid")).toBeNull();
    expect(await page.getByText(/one of the two/).count()).toBe(0);

    await file.setInputFiles({ name: "beach.jpg", mimeType: "image/jpeg", buffer: await corpus.jpeg() });
    // The local WAF's question, answered as a person would.
    const question = page.locator(".upload-picture__captcha label");
    await question.waitFor();
    const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec((await question.textContent()) ?? "") ?? [];
    await page.locator(".upload-picture__captcha input").fill(String(Number(a) + Number(b)));
    await page.locator(".upload-picture__captcha button").click();
    await page.getByRole("img", { name: "Your picture" }).waitFor({ timeout: 30_000 });
    expect(await asked.count()).toBe(0);
    expect(await page.getAttribute("#uploadFile", "aria-invalid")).toBeNull();
    await page.close();
  });
});

describe("the organiser's edit form", { timeout: 120_000 }, () => {
  it("says a delivery time that has passed once, as the error, not again as the field's hint", async () => {
    const page = await openCreateForm();
    await createCard(page);
    await page.getByRole("button", { name: "Edit details or reschedule" }).click();
    await page.getByLabel("Delivery date and time").fill(`${await dateAhead(-2)}T10:00`);
    const passed = "The delivery time has passed. Pick a time in the future.";
    await page.locator("#deliverAt-hint").getByText(passed).waitFor();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#deliverAt-error").getByText(passed).waitFor();
    expect(await page.getByText(passed).count()).toBe(1);
    expect(await page.getAttribute("#deliverAt", "aria-describedby")).toBe("deliverAt-error");
    await page.close();
  });

  it("keeps the keyboard's place: into the form on Edit, back to Edit on Cancel, to the news on Delete", async () => {
    const page = await openCreateForm();
    await createCard(page);
    const focused = () =>
      page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.id);
    await page.getByRole("button", { name: "Edit details or reschedule" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Save changes" }).waitFor();
    await expect.poll(focused).toBe("title");
    await page.getByRole("button", { name: "Cancel", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(focused).toBe("Edit details or reschedule");

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete the card" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "The card is deleted" }).waitFor();
    await expect.poll(focused).toBe("The card is deleted");
    await page.close();
  });
});

describe("the organiser page of a new card", { timeout: 120_000 }, () => {
  it("says once that nobody has signed yet", async () => {
    const page = await openCreateForm();
    await createCard(page);
    expect(await page.getByText(/signed yet/).allTextContents()).toEqual(["Nobody has signed yet."]);
    await page.close();
  });

  it("spaces each link to keep from its copy button alike, at both widths", async () => {
    const page = await openCreateForm();
    await createCard(page);
    /** Pixels from the bottom of the link's box to the top of its copy button. */
    const gap = async (link: string, button: string) => {
      const linkBox = await page.getByRole("textbox", { name: link }).boundingBox();
      const buttonBox = await page.getByRole("button", { name: button }).boundingBox();
      return (buttonBox?.y ?? 0) - ((linkBox?.y ?? 0) + (linkBox?.height ?? 0));
    };
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      const signGap = await gap("Sign link", "Copy sign link");
      expect(signGap, `${width} px`).toBeGreaterThanOrEqual(8);
      expect(await gap("Organiser link", "Copy organiser link"), `${width} px`).toBe(signGap);
    }
    await page.close();
  });

  it("lists the signatures from the left edge, under their heading", async () => {
    const page = await openCreateForm();
    await createCard(page);
    const signLink = await page.getByRole("textbox", { name: "Sign link" }).inputValue();
    const signer = await context.newPage();
    await signer.goto(signLink);
    await signer.getByRole("textbox", { name: "Your name" }).fill("Jo");
    await signer.getByRole("textbox", { name: "Your message" }).fill("Happy birthday!");
    await signer.getByRole("button", { name: "Sign the card" }).click();
    await signer.getByText("Thank you! Your signature is on the card.").waitFor();
    await signer.close();

    await page.setViewportSize({ width: 1366, height: 900 });
    await page.reload();
    const heading = page.getByRole("heading", { name: "Signatures (1)" });
    await heading.waitFor();
    const note = page.locator(".note-board .note");
    expect((await note.boundingBox())?.x).toBe((await heading.boundingBox())?.x);
    await page.close();
  });
});

describe("the sign page while a signer edits their own", { timeout: 120_000 }, () => {
  it("labels both forms' fields apart and keeps the keyboard's place into the form and back", async () => {
    const page = await openCreateForm();
    await createCard(page);
    await page.goto(await page.getByRole("textbox", { name: "Sign link" }).inputValue());
    await page.getByRole("textbox", { name: "Your name" }).fill("Jo");
    await page.getByRole("textbox", { name: "Your message" }).fill("Happy birthday!");
    await page.getByRole("button", { name: "Sign the card" }).click();
    await page.getByText("Thank you! Your signature is on the card.").waitFor();

    await page.getByRole("button", { name: "Edit my signature" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Save changes" }).waitFor();
    const focused = () =>
      page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.id);
    await expect.poll(focused).toBe("edit-name");
    // Every text field has exactly one label, its own: none is left nameless by a repeated id.
    const labelCounts = await page.$$eval("main input[type=text], main textarea", (controls) =>
      controls.map((control) => (control as HTMLInputElement).labels?.length),
    );
    expect(labelCounts).toEqual([1, 1, 1, 1]);
    expect(await page.getByRole("textbox", { name: "Your message", exact: true }).count()).toBe(2);
    expect(
      await page
        .getByRole("region", { name: "Your signature" })
        .getByRole("textbox", { name: "Your message" })
        .inputValue(),
    ).toBe("Happy birthday!");

    await page.getByRole("button", { name: "Cancel", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(focused).toBe("Edit my signature");
    await page.close();
  });
});

describe("long unbroken names, title and message", { timeout: 120_000 }, () => {
  it("wrap on a 390 px phone: no page scrolls sideways", async () => {
    const page = await openCreateForm();
    await page.getByRole("textbox", { name: "Recipient’s name" }).fill("W".repeat(80));
    await page.getByRole("textbox", { name: "Recipient’s email" }).fill("sam@example.com");
    await page.getByRole("textbox", { name: "Your name" }).fill("M".repeat(80));
    await page.getByRole("textbox", { name: "Your email" }).fill("alex@example.com");
    await page.getByRole("textbox", { name: "Title line" }).fill("T".repeat(120));
    await page.getByLabel("Date").fill(await dateAhead(7));
    await page.getByRole("button", { name: "Create the card" }).click();
    await page.waitForURL(/\/o\/[A-Za-z0-9_-]+#/);
    await page.getByRole("heading", { name: "Your card is ready to sign" }).waitFor();
    const organiserLink = page.url();
    const signLink = await page.getByRole("textbox", { name: "Sign link" }).inputValue();

    await page.goto(signLink);
    await page.getByRole("textbox", { name: "Your name" }).fill("N".repeat(80));
    await page.getByRole("textbox", { name: "Your message" }).fill("x".repeat(1000));
    expect(await horizontalOverflow(page), "sign page, note preview").toBe(0);
    await page.getByRole("button", { name: "Sign the card" }).click();
    await page.getByText("Thank you! Your signature is on the card.").waitFor();
    expect(await horizontalOverflow(page), "sign page, own signature").toBe(0);

    await page.goto(organiserLink);
    await page.getByRole("heading", { name: "Signatures (1)" }).waitFor();
    expect(await horizontalOverflow(page), "organiser page").toBe(0);
    await page.getByRole("link", { name: "Preview the card" }).click();
    await page.getByRole("list", { name: "Signatures" }).waitFor();
    expect(await horizontalOverflow(page), "card preview").toBe(0);
    await page.close();
  });
});
