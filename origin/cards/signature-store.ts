// The sign link's statements on the Data API: the sign page's view, and a signer's own signature
// (add, edit, delete). One statement each; the card's "signing open" rule is repeated as a guard.
import type { Database } from "../db/data-api.ts";
import { type DesignColumns, signatureJson } from "./card-rows.ts";
import { editableStatuses, sqlStatusList } from "./card-rules.ts";
import type { SignatureColour, SignatureFont } from "./schema.ts";
import type { CardStatus, SignatureView } from "./views.ts";

type Query = Pick<Database, "query">;

/** Signing is open: the card may still change and is not locked (card-rules.ts isSigningOpen). */
const signingOpen = `(c.status IN (${sqlStatusList(editableStatuses)}) AND c.locked_at IS NULL)`;

export interface SignPageRow extends DesignColumns {
  title: string;
  recipient_name: string;
  sender_name: string;
  status: CardStatus;
  locked_at: string | null;
  deliver_at: string;
  signature_count: number;
}

export async function selectSignPage(database: Query, signId: string): Promise<SignPageRow | undefined> {
  const [row] = await database.query<SignPageRow>(
    `SELECT c.title, c.recipient_name, c.sender_name, c.status, api_instant(c.locked_at) AS locked_at,
       api_instant(c.deliver_at) AS deliver_at,
       (SELECT count(*) FROM signatures s WHERE s.card_id = c.id)::integer AS signature_count,
       d.slug AS design_slug, d.title AS design_title, d.alt_text AS design_alt_text,
       d.image_key AS design_image_key, c.upload_url, c.upload_alt
     FROM cards c LEFT JOIN designs d ON d.id = c.design_id WHERE c.sign_id = :signId`,
    { signId },
  );
  return row;
}

export interface SignatureInput {
  name: string;
  message: string;
  colour?: SignatureColour | undefined;
  font?: SignatureFont | undefined;
}

/**
 * Adds a signature while signing is open. The card row is share-locked, so a lock or cancel committing
 * meanwhile is seen (READ COMMITTED re-reads a row it waited for) and no signature lands after it.
 */
export async function insertSignature(
  database: Query,
  signId: string,
  signature: SignatureInput & { secretHash: string; now: Date },
): Promise<{ signature: SignatureView } | "no_card" | "signing_closed"> {
  const [row] = await database.query<{ open: boolean; signature: string | null }>(
    `WITH c AS (SELECT id, ${signingOpen} AS open FROM cards c WHERE sign_id = :signId FOR SHARE),
     s AS (
       INSERT INTO signatures (card_id, name, message, colour, font, secret_hash, created_at, updated_at)
       SELECT c.id, :name, :message, :colour, :font, decode(:hash, 'hex'), :now::timestamptz, :now::timestamptz
       FROM c WHERE c.open
       RETURNING *)
     SELECT c.open, (SELECT ${signatureJson("s")}::text FROM s) AS signature FROM c`,
    {
      signId,
      name: signature.name,
      message: signature.message,
      colour: signature.colour ?? null,
      font: signature.font ?? null,
      hash: signature.secretHash,
      now: signature.now.toISOString(),
    },
  );
  if (!row) return "no_card";
  if (!row.open || row.signature === null) return "signing_closed";
  return { signature: JSON.parse(row.signature) as SignatureView };
}

/** What authorising a signer's change needs: the signature secret's hash and whether signing is open. */
export async function selectSignatureAuth(
  database: Query,
  signId: string,
  signatureId: string,
): Promise<{ secret_hash: string; open: boolean } | undefined> {
  const [row] = await database.query<{ secret_hash: string; open: boolean }>(
    `SELECT encode(s.secret_hash, 'hex') AS secret_hash, ${signingOpen} AS open
     FROM signatures s JOIN cards c ON c.id = s.card_id
     WHERE c.sign_id = :signId AND s.id = :signatureId::bigint`,
    { signId, signatureId },
  );
  return row;
}

/** Replaces a signature's text, colour and font while signing is open; undefined when it closed. */
export async function updateSignature(
  database: Query,
  signId: string,
  signatureId: string,
  signature: SignatureInput & { now: Date },
): Promise<SignatureView | undefined> {
  const [row] = await database.query<{ signature: string }>(
    `UPDATE signatures s SET name = :name, message = :message, colour = :colour, font = :font,
       updated_at = :now::timestamptz
     FROM cards c
     WHERE s.id = :signatureId::bigint AND c.id = s.card_id AND c.sign_id = :signId AND ${signingOpen}
     RETURNING ${signatureJson("s")}::text AS signature`,
    {
      signId,
      signatureId,
      name: signature.name,
      message: signature.message,
      colour: signature.colour ?? null,
      font: signature.font ?? null,
      now: signature.now.toISOString(),
    },
  );
  return row ? (JSON.parse(row.signature) as SignatureView) : undefined;
}

/** Deletes a signer's own signature while signing is open; false when it closed meanwhile. */
export async function deleteOwnSignature(
  database: Query,
  signId: string,
  signatureId: string,
): Promise<boolean> {
  const rows = await database.query(
    `DELETE FROM signatures s USING cards c
     WHERE s.id = :signatureId::bigint AND c.id = s.card_id AND c.sign_id = :signId AND ${signingOpen}
     RETURNING s.id`,
    { signId, signatureId },
  );
  return rows.length > 0;
}
