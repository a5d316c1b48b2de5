// The card statements on the Data API: each operation is one statement (CTEs and RETURNING), every value
// a parameter. Guards on the card's state are repeated in the statement, so a race cannot slip past them.
import type { Database, SqlValue } from "../db/data-api.ts";
import type { DeletedCard } from "./card-removal.ts";
import { type CardRow, cardColumns } from "./card-rows.ts";
import { editableStatuses, moderatableStatuses, sqlStatusList } from "./card-rules.ts";
import type { CardStatus } from "./views.ts";

type Query = Pick<Database, "query">;

export interface NewCard {
  id: string;
  signId: string;
  organiserSecretHash: string;
  /** A catalog design's slug, or the sender's own accepted picture: exactly one. */
  design?: string | undefined;
  upload?: { url: string; alt: string } | undefined;
  title: string;
  recipientName: string;
  recipientEmail: string;
  senderName: string;
  senderEmail: string;
  deliverAt: Date;
  timeZone: string;
  now: Date;
}

const editable = sqlStatusList(editableStatuses);

/**
 * Inserts a scheduled card; undefined when the design is unknown or the picture is already another
 * card's (upload_url is UNIQUE: ON CONFLICT settles two cards claiming it at once, the loser gets nothing).
 */
export async function insertCard(database: Query, card: NewCard): Promise<CardRow | undefined> {
  const [row] = await database.query<CardRow>(
    `WITH d AS (SELECT * FROM designs WHERE slug = :design),
     c AS (
       INSERT INTO cards (id, sign_id, design_id, upload_url, upload_alt, title, recipient_name,
         recipient_email, sender_name, sender_email, deliver_at, time_zone, status, organiser_secret_hash,
         created_at, updated_at)
       SELECT :id, :signId, d.id, :uploadUrl, :uploadAlt, :title, :recipientName, :recipientEmail,
         :senderName, :senderEmail, :deliverAt::timestamptz, :timeZone, 'scheduled', decode(:hash, 'hex'),
         :now::timestamptz, :now::timestamptz
       FROM (SELECT 1) AS one LEFT JOIN d ON true
       WHERE :design::text IS NULL OR d.id IS NOT NULL
       ON CONFLICT (upload_url) DO NOTHING
       RETURNING *)
     SELECT ${cardColumns} FROM c LEFT JOIN d ON d.id = c.design_id`,
    {
      id: card.id,
      signId: card.signId,
      hash: card.organiserSecretHash,
      design: card.design ?? null,
      uploadUrl: card.upload?.url ?? null,
      uploadAlt: card.upload?.alt ?? null,
      title: card.title,
      recipientName: card.recipientName,
      recipientEmail: card.recipientEmail,
      senderName: card.senderName,
      senderEmail: card.senderEmail,
      deliverAt: card.deliverAt.toISOString(),
      timeZone: card.timeZone,
      now: card.now.toISOString(),
    },
  );
  return row;
}

/** A card with its design and signatures, and its organiser secret's hash for the caller to check. */
export async function selectCard(
  database: Query,
  cardId: string,
): Promise<(CardRow & { organiser_secret_hash: string }) | undefined> {
  const [row] = await database.query<CardRow & { organiser_secret_hash: string }>(
    `SELECT ${cardColumns}, encode(c.organiser_secret_hash, 'hex') AS organiser_secret_hash
     FROM cards c LEFT JOIN designs d ON d.id = c.design_id WHERE c.id = :cardId`,
    { cardId },
  );
  return row;
}

/** What authorising an organiser's change needs: the secret's hash and the state. */
export async function selectOrganiserAuth(
  database: Query,
  cardId: string,
): Promise<{ organiser_secret_hash: string; status: CardStatus } | undefined> {
  const [row] = await database.query<{ organiser_secret_hash: string; status: CardStatus }>(
    "SELECT encode(organiser_secret_hash, 'hex') AS organiser_secret_hash, status FROM cards WHERE id = :cardId",
    { cardId },
  );
  return row;
}

/**
 * Runs an UPDATE of one card (written as the CTE `c`, RETURNING *) and reads the card back; the card's
 * status before the change comes too, so "no such card" and "not in a state for this" stay apart.
 */
async function changeCard(
  database: Query,
  update: string,
  params: Record<string, SqlValue>,
): Promise<{ row: CardRow | undefined; priorStatus: CardStatus | undefined }> {
  const [result] = await database.query<CardRow & { prior_status: CardStatus | null }>(
    `WITH ${update}
     SELECT (SELECT status FROM cards WHERE id = :cardId) AS prior_status, ${cardColumns}
     FROM (SELECT 1) AS one LEFT JOIN (c LEFT JOIN designs d ON d.id = c.design_id) ON true`,
    params,
  );
  return {
    row: result?.id ? result : undefined,
    priorStatus: result?.prior_status ?? undefined,
  };
}

export interface CardChanges {
  design?: string | undefined;
  title?: string | undefined;
  recipientName?: string | undefined;
  recipientEmail?: string | undefined;
  senderName?: string | undefined;
  senderEmail?: string | undefined;
  deliverAt?: Date | undefined;
  timeZone?: string | undefined;
}

/**
 * Changes the given details of an editable card; `unknownDesign` when the named design does not exist,
 * `showsUpload` when a design was named for a card that shows the sender's own picture (the picture is
 * the card's, so it is not swapped away and left behind).
 */
export async function updateCard(
  database: Query,
  cardId: string,
  changes: CardChanges,
  now: Date,
): Promise<{
  row: CardRow | undefined;
  priorStatus: CardStatus | undefined;
  unknownDesign: boolean;
  showsUpload: boolean;
}> {
  const [result] = await database.query<
    CardRow & { prior_status: CardStatus | null; unknown_design: boolean; shows_upload: boolean }
  >(
    `WITH chosen AS (SELECT (SELECT id FROM designs WHERE slug = :design) AS design_id),
     c AS (
       UPDATE cards SET
         design_id = coalesce(chosen.design_id, cards.design_id),
         title = coalesce(:title, cards.title),
         recipient_name = coalesce(:recipientName, cards.recipient_name),
         recipient_email = coalesce(:recipientEmail, cards.recipient_email),
         sender_name = coalesce(:senderName, cards.sender_name),
         sender_email = coalesce(:senderEmail, cards.sender_email),
         deliver_at = coalesce(:deliverAt::timestamptz, cards.deliver_at),
         time_zone = coalesce(:timeZone, cards.time_zone),
         updated_at = :now::timestamptz
       FROM chosen
       WHERE cards.id = :cardId AND cards.status IN (${editable})
         AND (:design::text IS NULL OR chosen.design_id IS NOT NULL)
         AND (:design::text IS NULL OR cards.upload_url IS NULL)
       RETURNING cards.*)
     SELECT (SELECT status FROM cards WHERE id = :cardId) AS prior_status,
       (:design::text IS NOT NULL AND (SELECT upload_url IS NOT NULL FROM cards WHERE id = :cardId))
         AS shows_upload,
       (:design::text IS NOT NULL AND chosen.design_id IS NULL) AS unknown_design, ${cardColumns}
     FROM chosen LEFT JOIN (c LEFT JOIN designs d ON d.id = c.design_id) ON true`,
    {
      cardId,
      design: changes.design ?? null,
      title: changes.title ?? null,
      recipientName: changes.recipientName ?? null,
      recipientEmail: changes.recipientEmail ?? null,
      senderName: changes.senderName ?? null,
      senderEmail: changes.senderEmail ?? null,
      deliverAt: changes.deliverAt?.toISOString() ?? null,
      timeZone: changes.timeZone ?? null,
      now: now.toISOString(),
    },
  );
  return {
    row: result?.id ? result : undefined,
    priorStatus: result?.prior_status ?? undefined,
    unknownDesign: result?.unknown_design === true,
    showsUpload: result?.shows_upload === true,
  };
}

/** Closes signing (idempotent: the first lock time stays). */
export function lockCard(database: Query, cardId: string, now: Date) {
  return changeCard(
    database,
    `c AS (UPDATE cards SET locked_at = coalesce(locked_at, :now::timestamptz), updated_at = :now::timestamptz
       WHERE id = :cardId AND status IN (${editable}) RETURNING *)`,
    { cardId, now: now.toISOString() },
  );
}

/** Cancels a card that has not started sending; signing closes with it. */
export function cancelCard(database: Query, cardId: string, now: Date) {
  return changeCard(
    database,
    `c AS (UPDATE cards SET status = 'cancelled', updated_at = :now::timestamptz
       WHERE id = :cardId AND status IN (${editable}) RETURNING *)`,
    { cardId, now: now.toISOString() },
  );
}

/**
 * Deletes a card; its signatures and delivery attempts go with it (ON DELETE CASCADE). Returns what is left
 * to remove outside the database (card-removal.ts), undefined when there was no such card.
 */
export async function deleteCard(database: Query, cardId: string): Promise<DeletedCard | undefined> {
  const [row] = await database.query<{
    id: string;
    sign_id: string;
    status: CardStatus;
    upload_url: string | null;
  }>("DELETE FROM cards WHERE id = :cardId RETURNING id, sign_id, status, upload_url", { cardId });
  return row && { id: row.id, signId: row.sign_id, status: row.status, uploadUrl: row.upload_url };
}

/** The organiser removes one signature of a card not yet on its way. */
export async function removeSignature(
  database: Query,
  cardId: string,
  signatureId: string,
): Promise<"removed" | "no_signature" | "card_closed"> {
  const [result] = await database.query<{ removed: boolean; exists: boolean }>(
    `WITH gone AS (
       DELETE FROM signatures s USING cards c
       WHERE s.id = :signatureId::bigint AND s.card_id = :cardId AND c.id = s.card_id
         AND c.status IN (${sqlStatusList(moderatableStatuses)})
       RETURNING s.id)
     SELECT EXISTS (SELECT 1 FROM gone) AS removed,
       EXISTS (SELECT 1 FROM signatures WHERE id = :signatureId::bigint AND card_id = :cardId) AS exists`,
    { cardId, signatureId },
  );
  if (result?.removed) return "removed";
  return result?.exists ? "card_closed" : "no_signature";
}

/** Records the recipient's first open of a delivered card. */
export async function recordOpen(
  database: Query,
  cardId: string,
  now: Date,
): Promise<"recorded" | "not_delivered" | "no_card"> {
  const [result] = await database.query<{ recorded: boolean; exists: boolean }>(
    `WITH opened AS (
       UPDATE cards SET opened_at = coalesce(opened_at, :now::timestamptz)
       WHERE id = :cardId AND status = 'sent' RETURNING id)
     SELECT EXISTS (SELECT 1 FROM opened) AS recorded, EXISTS (SELECT 1 FROM cards WHERE id = :cardId) AS exists`,
    { cardId, now: now.toISOString() },
  );
  if (result?.recorded) return "recorded";
  return result?.exists ? "not_delivered" : "no_card";
}
