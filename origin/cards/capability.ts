// Capability ids and secrets (ARCHITECTURE principle 5): random base64url values, only a secret's SHA-256
// stored, and a presented secret checked against it in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A card's or a sign link's id: 128 random bits, 22 base64url characters. */
export function newCapabilityId(): string {
  return randomBytes(16).toString("base64url");
}

/** An organiser's or a signature's secret: 256 random bits, 43 base64url characters. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The stored form of a secret: its SHA-256, as hex (bound as a parameter, decoded in SQL). */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** True when `presented` hashes to `storedHex`; the time taken does not depend on where they differ. */
export function secretMatches(presented: string, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, "hex");
  const candidate = createHash("sha256").update(presented, "utf8").digest();
  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}

/** Shape of an id in a path; anything else names no card, so no query is made for it. */
export const capabilityIdPattern = /^[A-Za-z0-9_-]{22}$/;
/** Signature ids are positive integers (bigint identity). */
export const signatureIdPattern = /^[1-9][0-9]{0,17}$/;
