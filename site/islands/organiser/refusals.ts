// What the organiser page says when the API refuses it: a link that no longer leads to a card, or else the
// API's own words.
import type { ApiRequestError } from "../../lib/api-client.ts";

/** How the page answers one refusal. */
export type Refusal =
  /** The whole page is replaced: this link shows no card any more. */
  | { kind: "link"; message: string }
  /** Said in the page's notice; the card stays on screen. */
  | { kind: "notice"; message: string };

export function refusal(error: ApiRequestError): Refusal {
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
