// The delivery's statements: the claim (one conditional UPDATE, ARCHITECTURE principle 6, which also opens
// the attempt's row), and the ends of an attempt: sent, failed, given back for a retry, or settled as
// "outcome unknown" when its claim outlived the lease. Each is one statement guarded by the card's state.
import { type CardRow, cardColumns } from "../cards/card-rows.ts";
import type { CardStatus } from "../cards/views.ts";
import type { Database } from "../db/data-api.ts";

type Query = Pick<Database, "query">;

export interface ClaimedCard extends CardRow {
  attempt: number;
}

/**
 * Moves a due, scheduled card to sending and records attempt n+1; undefined when another delivery has it,
 * it is not due (a schedule fired for a time since moved) or it is no longer to be sent. Two concurrent
 * claims race on the row lock: the second re-reads the row, sees 'sending' and updates nothing.
 */
export async function claimCard(
  database: Query,
  cardId: string,
  now: Date,
): Promise<ClaimedCard | undefined> {
  const [row] = await database.query<ClaimedCard>(
    `WITH c AS (
       UPDATE cards SET status = 'sending', delivery_claimed_at = :now::timestamptz, updated_at = :now::timestamptz
       WHERE id = :cardId AND status = 'scheduled' AND deliver_at <= :now::timestamptz
       RETURNING *),
     a AS (
       INSERT INTO deliveries (card_id, attempt, status, created_at)
       SELECT c.id, coalesce((SELECT max(attempt) FROM deliveries WHERE card_id = c.id), 0) + 1, 'sending',
         :now::timestamptz
       FROM c RETURNING attempt)
     SELECT ${cardColumns}, a.attempt FROM c LEFT JOIN designs d ON d.id = c.design_id CROSS JOIN a`,
    { cardId, now: now.toISOString() },
  );
  return row;
}

export interface DeliveryState {
  status: CardStatus;
  due: boolean;
  /** For a card being sent: whether its claim is older than the lease. */
  claimExpired: boolean;
}

/** Where a card stands, when the claim did not take it. */
export async function deliveryState(
  database: Query,
  cardId: string,
  now: Date,
  leaseSeconds: number,
): Promise<DeliveryState | undefined> {
  const [row] = await database.query<{ status: CardStatus; due: boolean; claim_expired: boolean }>(
    `SELECT status, deliver_at <= :now::timestamptz AS due,
       coalesce(delivery_claimed_at <= :now::timestamptz - make_interval(secs => :lease), false) AS claim_expired
     FROM cards WHERE id = :cardId`,
    { cardId, now: now.toISOString(), lease: leaseSeconds },
  );
  return row && { status: row.status, due: row.due, claimExpired: row.claim_expired };
}

/** The card went out: sent, with SES's message id, on this attempt. False when it was not ours to finish. */
export async function markSent(
  database: Query,
  cardId: string,
  attempt: number,
  messageId: string,
  now: Date,
): Promise<boolean> {
  const [row] = await database.query<{ done: boolean }>(
    `WITH c AS (
       UPDATE cards SET status = 'sent', delivered_at = :now::timestamptz, updated_at = :now::timestamptz,
         delivery_claimed_at = NULL, ses_message_id = :messageId
       WHERE id = :cardId AND status = 'sending' RETURNING id),
     a AS (
       UPDATE deliveries SET status = 'sent', ses_message_id = :messageId, finished_at = :now::timestamptz
       WHERE card_id = :cardId AND attempt = :attempt AND EXISTS (SELECT 1 FROM c))
     SELECT EXISTS (SELECT 1 FROM c) AS done`,
    { cardId, attempt, messageId, now: now.toISOString() },
  );
  return row?.done === true;
}

/** SES refused the card for good (or the outcome cannot be known): failed, with the reason the organiser sees. */
export async function markFailed(
  database: Query,
  cardId: string,
  attempt: number,
  reason: string,
  now: Date,
  attemptStatus: "failed" | "unknown" = "failed",
): Promise<boolean> {
  const [row] = await database.query<{ done: boolean }>(
    `WITH c AS (
       UPDATE cards SET status = 'failed', failure_reason = :reason, delivery_claimed_at = NULL,
         updated_at = :now::timestamptz
       WHERE id = :cardId AND status = 'sending' RETURNING id),
     a AS (
       UPDATE deliveries SET status = :attemptStatus, reason = :reason, finished_at = :now::timestamptz
       WHERE card_id = :cardId AND attempt = :attempt AND EXISTS (SELECT 1 FROM c))
     SELECT EXISTS (SELECT 1 FROM c) AS done`,
    { cardId, attempt, reason: reason.slice(0, 1000), now: now.toISOString(), attemptStatus },
  );
  return row?.done === true;
}

/** SES surely did not take the email (throttled, a transient error): the card is deliverable again. */
export async function releaseClaim(
  database: Query,
  cardId: string,
  attempt: number,
  reason: string,
  now: Date,
): Promise<boolean> {
  const [row] = await database.query<{ done: boolean }>(
    `WITH c AS (
       UPDATE cards SET status = 'scheduled', delivery_claimed_at = NULL, updated_at = :now::timestamptz
       WHERE id = :cardId AND status = 'sending' RETURNING id),
     a AS (
       UPDATE deliveries SET status = 'retry', reason = :reason, finished_at = :now::timestamptz
       WHERE card_id = :cardId AND attempt = :attempt AND EXISTS (SELECT 1 FROM c))
     SELECT EXISTS (SELECT 1 FROM c) AS done`,
    { cardId, attempt, reason: reason.slice(0, 1000), now: now.toISOString() },
  );
  return row?.done === true;
}

/**
 * A claim that outlived the lease: its delivery died somewhere between the claim and the commit, maybe
 * after SES took the email. SES has no idempotency token, so sending again could double it: the card
 * fails as "outcome unknown" for the organiser to check with the recipient. Guarded by the lease again.
 */
export async function settleExpiredClaim(
  database: Query,
  cardId: string,
  reason: string,
  now: Date,
  leaseSeconds: number,
): Promise<boolean> {
  const [row] = await database.query<{ done: boolean }>(
    `WITH c AS (
       UPDATE cards SET status = 'failed', failure_reason = :reason, delivery_claimed_at = NULL,
         updated_at = :now::timestamptz
       WHERE id = :cardId AND status = 'sending'
         AND delivery_claimed_at <= :now::timestamptz - make_interval(secs => :lease)
       RETURNING id),
     a AS (
       UPDATE deliveries SET status = 'unknown', reason = :reason, finished_at = :now::timestamptz
       WHERE card_id = :cardId AND status = 'sending' AND EXISTS (SELECT 1 FROM c))
     SELECT EXISTS (SELECT 1 FROM c) AS done`,
    { cardId, reason, now: now.toISOString(), lease: leaseSeconds },
  );
  return row?.done === true;
}

/** Records the organiser's confirmation email. */
export async function recordConfirmation(database: Query, cardId: string, messageId: string): Promise<void> {
  await database.query(
    "UPDATE cards SET confirmation_message_id = :messageId WHERE id = :cardId RETURNING id",
    {
      cardId,
      messageId,
    },
  );
}
