// Which kept signatures the sign page forgets on load: only those the API answers 404 for (removed by the
// organiser, or the card deleted); any other failure keeps them, so a signer never loses their secret to
// a network blip or a server error. A deleted card keeps nothing and says nothing about removed messages.
import { describe, expect, it } from "vitest";
import type { SignatureView } from "../../origin/cards/views.ts";
import { reconciled, removedFromCard, removedNotice } from "../../site/islands/sign/own-signatures.ts";
import { ApiRequestError } from "../../site/lib/api-client.ts";

const entry = (id: string) => ({
  signature: { id, name: `Signer ${id}`, message: "Hi" } as SignatureView,
  secret: `secret-${id}`,
});
const answer = (status: number) =>
  Promise.reject(new ApiRequestError(status, { code: "x", message: `answered ${status}` }));

describe("reconciling the signatures a browser keeps", () => {
  it("names only the signatures the API no longer has", async () => {
    const checks: Record<string, () => Promise<unknown>> = {
      "1": () => Promise.resolve(undefined),
      "2": () => answer(404),
      "3": () => answer(403),
      "4": () => answer(503),
      "5": () => Promise.reject(new TypeError("Failed to fetch")),
      "6": () => answer(404),
    };
    const own = Object.keys(checks).map(entry);
    const asked: string[] = [];
    const removed = await removedFromCard(own, (kept) => {
      asked.push(kept.secret);
      return (checks[kept.signature.id] ?? (() => Promise.resolve()))();
    });
    expect([...removed].sort()).toEqual(["2", "6"]);
    // Each is checked with its own secret.
    expect(asked).toEqual(own.map((kept) => kept.secret));
  });

  it("asks nothing when nothing is kept", async () => {
    const removed = await removedFromCard([], () => {
      throw new Error("not asked");
    });
    expect(removed.size).toBe(0);
  });

  it("tells the signer plainly", () => {
    expect(removedNotice(1)).toBe("The organiser removed your message from this card.");
    expect(removedNotice(2)).toBe("The organiser removed 2 of your messages from this card.");
  });

  it("forgets the removed signatures on opening and counts only those", () => {
    const own = ["1", "2", "3"].map(entry);
    expect(reconciled(own, new Set(["2", "9"]), false)).toEqual({
      kept: [own[0], own[2]],
      notice: "The organiser removed your message from this card.",
    });
    expect(reconciled(own, new Set(), false)).toEqual({ kept: own, notice: undefined });
  });

  it("keeps nothing of a deleted card, and does not say the organiser removed each message", async () => {
    const own = ["1", "2"].map(entry);
    // Once the card is gone, every kept signature checks 404.
    const removed = await removedFromCard(own, () => answer(404));
    expect(removed.size).toBe(2);
    expect(reconciled(own, removed, true)).toEqual({ kept: [], notice: undefined });
  });
});
