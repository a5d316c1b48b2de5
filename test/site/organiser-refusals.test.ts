// The organiser page's answers to the API: a delete that left copies behind (202) reads as done, with
// nothing to retry, and a plain one (204) as nothing kept; a dead link replaces the page; anything else is
// the API's own words.
import { describe, expect, it } from "vitest";
import type { CardDeletedPending } from "../../origin/cards/views.ts";
import { copiesLinger, deletedWords } from "../../site/islands/organiser/card-deleted.ts";
import { refusal } from "../../site/islands/organiser/refusals.ts";
import { ApiRequestError, callApi } from "../../site/lib/api-client.ts";

const refused = (status: number, code: string, field?: string) =>
  new ApiRequestError(status, { code, message: `the API's words for ${code}`, ...(field ? { field } : {}) });

/** The page's call to DELETE /api/cards/<cardId>, answered by `response`. */
const deleteAnswered = (response: Response) =>
  callApi<CardDeletedPending | undefined>("/api/cards/c1", {
    method: "DELETE",
    fetch: async () => response,
  });

describe("a delete the API accepted", () => {
  it("reads 202 delete_incomplete as deleted, with copies still lingering", async () => {
    const pending: CardDeletedPending = {
      deleted: true,
      cleanup: "pending",
      code: "delete_incomplete",
      message: "The card is deleted.",
    };
    const answer = await deleteAnswered(Response.json(pending, { status: 202 }));
    expect(copiesLinger(answer)).toBe(true);
  });

  it("reads 204 as deleted with nothing kept", async () => {
    const answer = await deleteAnswered(new Response(null, { status: 204 }));
    expect(copiesLinger(answer)).toBe(false);
  });
});

describe("organiser refusals", () => {
  it("keeps a 503 a notice, so a change the service could not make can be tried again", () => {
    expect(refusal(refused(503, "unavailable"))).toEqual({
      kind: "notice",
      message: "the API's words for unavailable",
    });
  });

  it("says plainly that a lingering delete is done and leaves the organiser nothing to do", () => {
    const words = deletedWords(true).join(" ");
    expect(words).toMatch(/deleted/);
    expect(words).toMatch(/may take a while/);
    expect(words).toMatch(/nothing more for you to do/);
    expect(words).not.toMatch(/try again/i);
    expect(deletedWords(false).join(" ")).toMatch(/Nothing of it is kept/);
  });

  it("replaces the page when the secret does not match", () => {
    for (const status of [401, 403])
      expect(refusal(refused(status, "forbidden"))).toMatchObject({ kind: "link", message: /secret part/ });
  });

  it("replaces the page when the card is gone, but not when one signature is", () => {
    expect(refusal(refused(404, "not_found", "cardId"))).toMatchObject({
      kind: "link",
      message: /no card at this link/,
    });
    expect(refusal(refused(404, "not_found", "signatureId"))).toEqual({
      kind: "notice",
      message: "the API's words for not_found",
    });
  });

  it("shows a conflict in the API's words", () => {
    expect(refusal(refused(409, "card_closed"))).toEqual({
      kind: "notice",
      message: "the API's words for card_closed",
    });
  });
});
