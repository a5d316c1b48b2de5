// The delivery Lambda as a handler built from its dependencies (like createApiHandler): EventBridge
// Scheduler invokes it with the schedule's input, {"cardId": …}, at the card's time. It claims the card
// with one conditional UPDATE, sends the email through SES v2 and records the outcome; a schedule that
// fires twice, late or for a card since moved finds nothing to claim and changes nothing.
//
// The rule for the crash window (SES took the email, the commit never came): the card stays "sending"
// with its claim time; a later invocation (Scheduler's retry) that finds the claim older than the lease
// fails the card as "outcome unknown" for the organiser. Nothing is ever sent a second time blindly.
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import { capabilityIdPattern } from "../cards/capability.ts";
import type { Database } from "../db/data-api.ts";
import {
  type ClaimedCard,
  claimCard,
  deliveryState,
  markFailed,
  markSent,
  recordConfirmation,
  releaseClaim,
  settleExpiredClaim,
} from "./delivery-store.ts";
import { cardEmail, confirmationEmail } from "./email.ts";
import { type SendOutcome, sendEmail } from "./ses-send.ts";

export interface DeliveryDependencies {
  database: Pick<Database, "query">;
  /** Built with maxAttempts: 1 (see ses-send.ts). */
  ses: SESv2Client;
  /** The site's origin, for the card link and the design image. */
  siteUrl: string;
  /** The verified sender, e.g. "GoodGreets <cards@goodgreets.example>". */
  from: string;
  /** The configuration set whose event destination records send events. */
  configurationSet?: string;
  now?: () => Date;
  sleep?: (milliseconds: number) => Promise<void>;
  random?: () => number;
  log?: (message: string) => void;
  /**
   * How long a claim may last before it is taken for a crashed delivery. Longer than the function's
   * timeout (60 s in the stack), so a live invocation is never settled under itself.
   */
  leaseSeconds?: number;
  /** SES calls per invocation for a throttled or transiently failing send, with backoff between them. */
  sendAttempts?: number;
  backoffMilliseconds?: number;
}

export type DeliveryOutcome =
  | "sent"
  | "failed"
  | "outcome_unknown"
  | "not_due"
  | "not_found"
  | "finished"
  | "invalid_event";

export interface DeliveryResult {
  cardId?: string;
  outcome: DeliveryOutcome;
  detail?: string;
}

/** Thrown so that Scheduler retries the invocation later: the card is still to be delivered. */
export class DeliveryRetryLater extends Error {
  override name = "DeliveryRetryLater";
}

export const defaultLeaseSeconds = 300;

export function createDeliveryHandler(
  dependencies: DeliveryDependencies,
): (event: unknown) => Promise<DeliveryResult> {
  const now = dependencies.now ?? (() => new Date());
  const log = dependencies.log ?? ((message: string) => console.error(message));
  const sleep =
    dependencies.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = dependencies.random ?? Math.random;
  const leaseSeconds = dependencies.leaseSeconds ?? defaultLeaseSeconds;
  const sendAttempts = dependencies.sendAttempts ?? 4;
  const backoff = dependencies.backoffMilliseconds ?? 200;
  const { database } = dependencies;

  /** Sends with full-jitter exponential backoff while SES says "not now"; stops at any other outcome. */
  async function sendWithRetries(send: () => Promise<SendOutcome>): Promise<SendOutcome> {
    let outcome = await send();
    for (let retry = 1; retry < sendAttempts && outcome.kind === "transient"; retry += 1) {
      await sleep(random() * backoff * 2 ** retry);
      outcome = await send();
    }
    return outcome;
  }

  async function deliver(card: ClaimedCard): Promise<DeliveryResult> {
    const cardId = card.id;
    const outcome = await sendWithRetries(() =>
      sendEmail(dependencies.ses, {
        from: dependencies.from,
        to: card.recipient_email,
        content: cardEmail(card, dependencies.siteUrl),
        tags: { card_id: cardId, email: "card" },
        ...(dependencies.configurationSet ? { configurationSet: dependencies.configurationSet } : {}),
      }),
    );
    switch (outcome.kind) {
      case "sent":
        if (!(await markSent(database, cardId, card.attempt, outcome.messageId, now())))
          throw new Error(`card ${cardId}: sent as ${outcome.messageId} but no longer ours to mark sent`);
        await confirm(card);
        return { cardId, outcome: "sent", detail: outcome.messageId };
      case "permanent":
        await markFailed(database, cardId, card.attempt, outcome.reason, now());
        return { cardId, outcome: "failed", detail: outcome.reason };
      case "unknown":
        await markFailed(
          database,
          cardId,
          card.attempt,
          `outcome unknown: ${outcome.reason}`,
          now(),
          "unknown",
        );
        return { cardId, outcome: "outcome_unknown", detail: outcome.reason };
      case "transient":
        await releaseClaim(database, cardId, card.attempt, outcome.reason, now());
        throw new DeliveryRetryLater(`card ${cardId}: ${outcome.reason}`);
    }
  }

  /** The organiser's confirmation; the card is already sent, so a failure here is logged, not retried. */
  async function confirm(card: ClaimedCard): Promise<void> {
    const outcome = await sendWithRetries(() =>
      sendEmail(dependencies.ses, {
        from: dependencies.from,
        to: card.sender_email,
        content: confirmationEmail(card, dependencies.siteUrl),
        tags: { card_id: card.id, email: "confirmation" },
        ...(dependencies.configurationSet ? { configurationSet: dependencies.configurationSet } : {}),
      }),
    );
    if (outcome.kind === "sent") await recordConfirmation(database, card.id, outcome.messageId);
    else
      log(`card ${card.id}: the organiser's confirmation was not sent (${outcome.kind}: ${outcome.reason})`);
  }

  return async (event) => {
    const cardId = (event as { cardId?: unknown } | null)?.cardId;
    if (typeof cardId !== "string" || !capabilityIdPattern.test(cardId)) {
      log(`delivery: an event without a card id: ${JSON.stringify(event)?.slice(0, 200)}`);
      return { outcome: "invalid_event" };
    }
    const claimed = await claimCard(database, cardId, now());
    if (claimed) return deliver(claimed);

    const state = await deliveryState(database, cardId, now(), leaseSeconds);
    if (!state) return { cardId, outcome: "not_found" };
    if (state.status === "sending") {
      if (!state.claimExpired)
        throw new DeliveryRetryLater(`card ${cardId} is being delivered by another invocation`);
      const reason =
        "outcome unknown: the delivery stopped after claiming the card; it may or may not have been emailed";
      if (await settleExpiredClaim(database, cardId, reason, now(), leaseSeconds))
        return { cardId, outcome: "outcome_unknown", detail: reason };
      throw new DeliveryRetryLater(`card ${cardId} changed while settling its claim`);
    }
    if (state.status === "scheduled") {
      // Scheduled and due yet not claimed: it changed under the claim (a transient failure gave it back).
      if (state.due) throw new DeliveryRetryLater(`card ${cardId} changed while being claimed`);
      return { cardId, outcome: "not_due" };
    }
    return { cardId, outcome: "finished", detail: state.status };
  };
}
