// What the organiser page says when the API refuses it: a link that no longer leads to a card, a delete
// that left copies behind (docs/api.md, DELETE /api/cards/<cardId>), or else the API's own words.
import type { ApiRequestError } from "../../lib/api-client.ts";

/** How the page answers one refusal. */
export type Refusal =
  /** The whole page is replaced: this link shows no card any more. */
  | { kind: "link"; message: string }
  /** The card is deleted; `lingering` when some copies of it are still being removed. */
  | { kind: "deleted"; lingering: boolean }
  /** Said in the page's notice; the card stays on screen. */
  | { kind: "notice"; message: string };

/** The deleted page's words: plain, and nothing left for the organiser to do. */
export function deletedWords(lingering: boolean): string[] {
  if (!lingering) return ["The card, its signatures and its schedule are gone. Nothing of it is kept."];
  return [
    "The card and its signatures are deleted: nobody can open or sign it any more, and it will not be sent.",
    "A few copies of it, such as its picture, may take a while to disappear everywhere. We have been told and will finish removing them. There is nothing more for you to do.",
  ];
}

export function refusal(error: ApiRequestError): Refusal {
  // The row is gone and only the clean-up is left to the operator: a retried delete would find no card.
  if (error.status === 503 && error.code === "delete_incomplete") return { kind: "deleted", lingering: true };
  if (error.status === 401 || error.status === 403)
    return {
      kind: "link",
      message: "This organiser link is not complete: its secret part (after #) does not match the card.",
    };
  // A removed signature's 404 is about that signature only; any other 404 means the card is gone.
  if (error.status === 404 && error.field !== "signatureId")
    return { kind: "link", message: "There is no card at this link. It may have been deleted." };
  return { kind: "notice", message: error.message };
}
