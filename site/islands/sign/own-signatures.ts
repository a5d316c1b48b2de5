// The signatures this browser made, with the secret that lets their signer edit or delete them later:
// kept in localStorage, per sign link, and nowhere else.
import type { SignatureView } from "../../../origin/cards/views.ts";
import { ApiRequestError } from "../../lib/api-client.ts";

export interface OwnSignature {
  signature: SignatureView;
  secret: string;
}

const key = (signId: string) => `goodgreets:signatures:${signId}`;

export function readOwnSignatures(storage: Storage, signId: string): OwnSignature[] {
  const stored = storage.getItem(key(signId));
  if (stored === null) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed)
      ? parsed.filter(
          (entry): entry is OwnSignature =>
            typeof entry?.secret === "string" && typeof entry?.signature?.id === "string",
        )
      : [];
  } catch (error) {
    // Something else wrote this key: start afresh rather than lose the page.
    if (error instanceof SyntaxError) return [];
    throw error;
  }
}

export function writeOwnSignatures(storage: Storage, signId: string, own: readonly OwnSignature[]): void {
  if (own.length === 0) storage.removeItem(key(signId));
  else storage.setItem(key(signId), JSON.stringify(own));
}

/**
 * The kept signatures the card no longer has: each is checked (`check` rejects with a 404 once the
 * organiser removed it or the card was deleted). Any other failure keeps it: a network blip must not
 * make a signer lose the only way to edit their message.
 */
export async function removedFromCard(
  own: readonly OwnSignature[],
  check: (entry: OwnSignature) => Promise<unknown>,
): Promise<Set<string>> {
  const answers = await Promise.allSettled(own.map(check));
  const removed = new Set<string>();
  answers.forEach((answer, index) => {
    const entry = own[index];
    if (
      entry &&
      answer.status === "rejected" &&
      answer.reason instanceof ApiRequestError &&
      answer.reason.status === 404
    )
      removed.add(entry.signature.id);
  });
  return removed;
}

/**
 * What opening the sign page keeps and says. A deleted card keeps nothing, and its own "no card" message
 * is enough: each kept signature then checks 404 too, which must not read as the organiser removing them.
 * Otherwise the signatures the card no longer has are forgotten, and the signer is told how many.
 */
export function reconciled(
  own: readonly OwnSignature[],
  removed: ReadonlySet<string>,
  cardGone: boolean,
): { kept: OwnSignature[]; notice: string | undefined } {
  if (cardGone) return { kept: [], notice: undefined };
  const kept = own.filter((entry) => !removed.has(entry.signature.id));
  const count = own.length - kept.length;
  return { kept, notice: count > 0 ? removedNotice(count) : undefined };
}

/** What the sign page tells a signer whose message the organiser took off the card. */
export function removedNotice(count: number): string {
  return count === 1
    ? "The organiser removed your message from this card."
    : `The organiser removed ${count} of your messages from this card.`;
}
