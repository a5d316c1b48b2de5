// What the organiser page says once a delete succeeded: 204 when nothing of the card is kept, 202 with
// `cleanup: "pending"` when some copies are still being removed (docs/api.md, DELETE /api/cards/<cardId>).
import type { CardDeletedPending } from "../../../origin/cards/views.ts";

/** Whether copies of the deleted card may linger a while: the delete's 202 says so; its 204 has no body. */
export function copiesLinger(answer: CardDeletedPending | undefined): boolean {
  return answer?.cleanup === "pending";
}

/** The deleted page's words: plain, and nothing left for the organiser to do. */
export function deletedWords(lingering: boolean): string[] {
  if (!lingering) return ["The card, its signatures and its schedule are gone. Nothing of it is kept."];
  return [
    "The card and its signatures are deleted: nobody can open or sign it any more, and it will not be sent.",
    "A few copies of it, such as its picture, may take a while to disappear everywhere. We have been told and will finish removing them. There is nothing more for you to do.",
  ];
}
