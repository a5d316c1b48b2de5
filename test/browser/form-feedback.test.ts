// What a newcomer sees when the forms say no: the create form's refusals (empty, past, too far ahead) shown
// where the eye and the keyboard go, each said once, in the product's words, with the failing control marked.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./harness.ts";

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

async function openCreateForm(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${edge}/create/?design=balloon-bunch`);
  await page.getByRole("textbox", { name: "Recipient’s name" }).waitFor();
  return page;
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
});
