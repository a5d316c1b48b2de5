// The signatures this browser made, with the secret that lets their signer edit or delete them later:
// kept in localStorage, per sign link, and nowhere else.
import type { SignatureView } from "../../../origin/cards/views.ts";

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
