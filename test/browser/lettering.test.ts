// The sign page's four lettering styles look different in Debian's Chromium with only the fonts a Linux
// box has (no web fonts): each option is drawn in a font, or face, of its own. Checked with the fonts
// Chromium actually used (DevTools' CSS.getPlatformFontsForNode), since the computed font-family is just
// the stack and says nothing about which of its fonts were found.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { fontLabels } from "../../site/islands/signature-style.ts";
import { call, cardBody, testNow } from "../cards/edge-client.ts";
import { type BrowserHarness, saveScreenshots, startBrowserHarness } from "./harness.ts";

let harness: BrowserHarness;
let edge: string;

beforeAll(async () => {
  harness = await startBrowserHarness({ now: () => testNow.getTime() });
  edge = harness.stack.edge.url;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe("the sign page's lettering choices", () => {
  it("each draws its label in a face of its own", { timeout: 90_000 }, async () => {
    const created = await call(edge, "/api/cards", { body: cardBody() });
    expect(created.status).toBe(201);
    const { links } = created.json as CreatedCard;

    const context = await harness.browser.newContext({ viewport: { width: 390, height: 800 } });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(60_000);
    try {
      const page = await context.newPage();
      await page.goto(`${edge}${links.sign}`);
      const lettering = page.getByRole("group", { name: "Lettering" });
      await lettering.waitFor();
      const devtools = await context.newCDPSession(page);
      await devtools.send("DOM.enable");
      await devtools.send("CSS.enable");
      const { root } = await devtools.send("DOM.getDocument", { depth: -1 });

      const faces: Record<string, string> = {};
      for (const [style, label] of Object.entries(fontLabels)) {
        const { nodeId } = await devtools.send("DOM.querySelector", {
          nodeId: root.nodeId,
          selector: `.choice__option.note-font--${style}`,
        });
        expect(await page.locator(`.note-font--${style}.choice__option`).textContent()).toContain(label);
        const { fonts } = await devtools.send("CSS.getPlatformFontsForNode", { nodeId });
        // The face that drew most of the label: a family and its style, e.g. "DejaVu Serif Condensed Italic".
        const main = fonts.toSorted((a, b) => b.glyphCount - a.glyphCount)[0];
        faces[style] = main?.postScriptName ?? "";
      }
      expect(new Set(Object.values(faces)).size, JSON.stringify(faces)).toBe(Object.keys(fontLabels).length);
      await saveScreenshots(page, "sign-lettering");
    } finally {
      await context.close();
    }
  });
});
