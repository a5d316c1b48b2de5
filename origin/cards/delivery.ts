// Marking a card delivered: the one transition to "sent", used by the delivery job once the email is
// out (and by tests standing in for it until the scheduler exists). From then on the card is immutable.
import type { Database } from "../db/data-api.ts";

/** True when the card moved to sent now; false when it does not exist or was not due to be sent. */
export async function markDelivered(
  database: Pick<Database, "query">,
  cardId: string,
  now: Date,
): Promise<boolean> {
  const rows = await database.query(
    `UPDATE cards SET status = 'sent', delivered_at = :now::timestamptz, updated_at = :now::timestamptz
     WHERE id = :cardId AND status IN ('scheduled', 'sending') RETURNING id`,
    { cardId, now: now.toISOString() },
  );
  return rows.length > 0;
}
