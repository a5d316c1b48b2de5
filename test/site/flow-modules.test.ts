// The pages' pure rules: capability links read from the address, the page clock and countdowns, the
// delivery preview (DST gap, overlap, window), schema errors per field, the signer's own signatures kept
// in storage, the QR code's modules and the sign page's closed messages.
import { describe, expect, it } from "vitest";
import { createCardBody } from "../../origin/cards/schema.ts";
import type { SignPageView } from "../../origin/cards/views.ts";
import { previewDelivery } from "../../site/islands/create/delivery-preview.ts";
import { fieldErrors } from "../../site/islands/form-errors.ts";
import { designBySlugIn } from "../../site/islands/mount.ts";
import { markJustCreated, takeJustCreated } from "../../site/islands/organiser/just-created.ts";
import { qrPath } from "../../site/islands/qr-code.tsx";
import { readOwnSignatures, writeOwnSignatures } from "../../site/islands/sign/own-signatures.ts";
import { closedReason } from "../../site/islands/sign/sign-card.tsx";
import { noteClass } from "../../site/islands/signature-style.ts";
import { idFromPath, secretFromFragment } from "../../site/lib/capability.ts";
import { learnServerNow, pageNow } from "../../site/lib/clock.ts";
import { describeCountdown } from "../../site/lib/countdown.ts";

/** A Storage kept in a Map, as a browser's localStorage or sessionStorage behaves. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

describe("capability links", () => {
  it("reads the id from its own prefix only, with or without a trailing slash", () => {
    expect(idFromPath("/s/bAFwtWRUZwN39ILpfrWo3A", "s")).toBe("bAFwtWRUZwN39ILpfrWo3A");
    expect(idFromPath("/o/u3qzDhdvg_4Ag4FrkcET7g/", "o")).toBe("u3qzDhdvg_4Ag4FrkcET7g");
    expect(idFromPath("/s/abc", "o")).toBeUndefined();
    expect(idFromPath("/s/", "s")).toBeUndefined();
    expect(idFromPath("/s/a/b", "s")).toBeUndefined();
    expect(idFromPath("/s/%3Cscript%3E", "s")).toBeUndefined();
  });

  it("takes the organiser secret from the fragment only when it has a secret's form", () => {
    const secret = "nEOxvUc7LZpS7SWQAIwYfbf-cuTLPY0dggckvL5aBRU";
    expect(secretFromFragment(`#${secret}`)).toBe(secret);
    expect(secretFromFragment("")).toBeUndefined();
    expect(secretFromFragment("#short")).toBeUndefined();
    expect(secretFromFragment(`#${secret}&x=1`)).toBeUndefined();
  });
});

describe("the page clock", () => {
  it("counts down in days and hours, hours and minutes, or minutes", () => {
    const now = new Date("2027-03-01T09:00:00Z");
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    expect(describeCountdown(at(3 * 1440 + 4 * 60 + 5), now)).toBe("3 days, 4 hours");
    expect(describeCountdown(at(1440), now)).toBe("1 day");
    expect(describeCountdown(at(61), now)).toBe("1 hour, 1 minute");
    expect(describeCountdown(at(120), now)).toBe("2 hours");
    expect(describeCountdown(at(12), now)).toBe("12 minutes");
    expect(describeCountdown(at(0.5), now)).toBe("less than a minute");
    expect(describeCountdown(at(-5), now)).toBe("less than a minute");
  });

  it("runs on the API's clock once told it, and ignores an unreadable one", () => {
    learnServerNow("2031-06-01T00:00:00.000Z");
    learnServerNow("not a date");
    learnServerNow(undefined);
    const shown = pageNow().getTime();
    expect(shown).toBeGreaterThanOrEqual(Date.parse("2031-06-01T00:00:00.000Z"));
    // Far less than the years between the real clock and the one the API gave.
    expect(shown).toBeLessThan(Date.parse("2031-06-02T00:00:00.000Z"));
  });
});

describe("the delivery preview", () => {
  const now = new Date("2027-03-01T09:00:00Z");

  it("shows the resolved instant with its offset", () => {
    const preview = previewDelivery("2027-04-01T09:00", "Europe/London", now, "en-GB");
    expect(preview?.result.ok).toBe(true);
    expect(preview?.explanation).toContain("Europe/London (UTC+01:00)");
    expect(preview?.explanation).toContain("09:00");
  });

  it("explains a time the clocks skip and offers the moment after the change", () => {
    const preview = previewDelivery("2027-03-28T01:30", "Europe/London", now, "en-GB");
    expect(preview?.result).toMatchObject({
      ok: false,
      code: "nonexistent_local_time",
      field: "deliverAt",
      suggestion: { deliverAt: "2027-03-28T02:30", offset: "+01:00" },
    });
    expect(preview?.explanation).toMatch(/does not exist in Europe\/London: the clocks go forward/);
  });

  it("says plainly which of a repeated time it uses", () => {
    const autumn = new Date("2027-09-01T09:00:00Z");
    const preview = previewDelivery("2027-10-31T01:30", "Europe/London", autumn, "en-GB");
    expect(preview?.result).toMatchObject({ ok: true, offset: "+01:00", ambiguous: true });
    expect(preview?.explanation).toContain("happens twice; we use the first one");
  });

  it("refuses the past and past the 3-month window, and says nothing before a date is picked", () => {
    expect(previewDelivery("2027-02-01T09:00", "UTC", now)?.result).toMatchObject({
      code: "delivery_in_past",
    });
    expect(previewDelivery("2027-06-02T09:00", "UTC", now)?.result).toMatchObject({
      code: "delivery_too_far",
    });
    expect(previewDelivery("T09:00", "UTC", now)).toBeUndefined();
  });
});

describe("form errors", () => {
  it("gives the first message of each field the schema refuses, under the field's name", () => {
    const errors = fieldErrors(createCardBody, {
      design: "balloon-bunch",
      title: " ",
      recipientName: "Sam",
      recipientEmail: "not an email",
      senderName: "Alex\u0007",
      senderEmail: "alex@example.com",
      deliverAt: "2027-04-01T09:00",
      timeZone: "Mars/Olympus",
    });
    expect(Object.keys(errors).toSorted()).toEqual(["recipientEmail", "senderName", "timeZone", "title"]);
    expect(errors.title).toBe("The title is required.");
    expect(errors.recipientEmail).toMatch(/email address/);
  });

  it("has nothing to say about a sound body", () => {
    expect(
      fieldErrors(createCardBody, {
        design: "balloon-bunch",
        title: "Happy birthday, Sam!",
        recipientName: "Sam",
        recipientEmail: "sam@example.com",
        senderName: "Alex",
        senderEmail: "alex@example.com",
        deliverAt: "2027-04-01T09:00",
        timeZone: "Europe/London",
      }),
    ).toEqual({});
  });
});

describe("the signer's own signatures", () => {
  const signature = {
    id: "17",
    name: "Bo",
    message: "Happy birthday!",
    colour: null,
    font: null,
    createdAt: "2027-03-01T09:00:00Z",
    updatedAt: "2027-03-01T09:00:00Z",
  };

  it("are kept per sign link and forgotten when the last one goes", () => {
    const storage = memoryStorage();
    writeOwnSignatures(storage, "sign-a", [{ signature, secret: "s1" }]);
    expect(readOwnSignatures(storage, "sign-a")).toEqual([{ signature, secret: "s1" }]);
    expect(readOwnSignatures(storage, "sign-b")).toEqual([]);
    writeOwnSignatures(storage, "sign-a", []);
    expect(storage.length).toBe(0);
  });

  it("survive a key something else wrote: unreadable or wrongly shaped entries are dropped", () => {
    const storage = memoryStorage();
    storage.setItem("goodgreets:signatures:sign-a", "{not json");
    expect(readOwnSignatures(storage, "sign-a")).toEqual([]);
    storage.setItem(
      "goodgreets:signatures:sign-a",
      JSON.stringify([{ secret: 1 }, { signature, secret: "s1" }]),
    );
    expect(readOwnSignatures(storage, "sign-a")).toEqual([{ signature, secret: "s1" }]);
  });

  it("look as their signer chose, ink and classic by default", () => {
    expect(noteClass({ colour: null, font: null })).toBe("note note--ink note-font--classic");
    expect(noteClass({ colour: "berry", font: "handwritten" })).toBe(
      "note note--berry note-font--handwritten",
    );
  });
});

describe("page hand-overs", () => {
  it("opens the organiser page with the share view once, for the card just created", () => {
    const storage = memoryStorage();
    markJustCreated(storage, "card-1");
    expect(takeJustCreated(storage, "card-2")).toBe(false);
    expect(takeJustCreated(storage, "card-1")).toBe(true);
    expect(takeJustCreated(storage, "card-1")).toBe(false);
  });

  it("preselects only a design the catalog has", () => {
    const designs = [{ slug: "balloon-bunch" }, { slug: "roses" }];
    expect(designBySlugIn(designs, "roses")).toBe("roses");
    expect(designBySlugIn(designs, 'roses"><script>')).toBeUndefined();
    expect(designBySlugIn(designs, undefined)).toBeUndefined();
  });
});

describe("the sign link's QR code", () => {
  it("draws a square of modules with the three finder patterns inside a quiet zone", () => {
    const { d, size } = qrPath("https://goodgreets.example/s/bAFwtWRUZwN39ILpfrWo3A");
    const dark = new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((match) => `${match[1]},${match[2]}`));
    const modules = size - 8;
    expect((modules - 17) % 4).toBe(0);
    // Each finder pattern's outer ring is dark: its corners, offset by the 4-module quiet zone.
    for (const [x, y] of [
      [0, 0],
      [modules - 7, 0],
      [0, modules - 7],
    ] as const) {
      for (const [dx, dy] of [
        [0, 0],
        [6, 0],
        [0, 6],
        [6, 6],
        [3, 3],
      ] as const)
        expect(dark.has(`${x + 4 + dx},${y + 4 + dy}`)).toBe(true);
      expect(dark.has(`${x + 4 + 1},${y + 4 + 1}`)).toBe(false);
    }
    expect(
      [...dark].every((key) => key.split(",").every((n) => Number(n) >= 4 && Number(n) < size - 4)),
    ).toBe(true);
  });
});

describe("the sign page's closed messages", () => {
  const card = { recipientName: "Sam", locked: true, status: "scheduled" } as SignPageView["card"];
  it("say why signing closed", () => {
    expect(closedReason({ ...card, status: "cancelled" })).toMatch(/cancelled/);
    expect(closedReason({ ...card, status: "sent" })).toMatch(/already been delivered to Sam/);
    expect(closedReason(card)).toMatch(/closed this card for signing/);
  });
});
