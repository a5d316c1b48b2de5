// The exactly-once burst, shared by the test (200 cards) and `npm run bench` (2,000): cards due in the same
// minute, the Scheduler stand-in firing a share of them twice and concurrently, SES throttling or failing a
// share of calls, and the delivery process killed once mid-burst (every invocation then in flight dies at
// its next database call). The clock then moves on a minute at a time until nothing is left to retry.
// The outcome is counted from the SES stand-in's store, not from the delivery's own bookkeeping.
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { localDelivery } from "../../infra/local/scheduler/card-delivery.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import type { CreatedCard } from "../../origin/cards/views.ts";
import type { Database } from "../../origin/db/data-api.ts";
import { createDeliveryHandler } from "../../origin/delivery/handler.ts";
import { call, cardBody } from "../cards/edge-client.ts";

export interface BurstOptions {
  stack: LocalStack;
  database: Pick<Database, "query">;
  /** The stack's clock, moved by the burst. */
  clock: { now: number };
  cards: number;
  /** Share of schedules fired twice, and of SES calls throttled or failed. */
  twiceShare: number;
  sesFaultShare: number;
  /** The kill comes when SES has accepted this many card emails. */
  killAfter: number;
  seed?: number;
  /** The delivery's sleep between SES retries; instant unless given (the bench passes the real one). */
  sleep?: (milliseconds: number) => Promise<void>;
}

export interface CardOutcome {
  cardId: string;
  status: string;
  failureReason: string | null;
  sesMessageId: string | null;
  /** Emails for this card's recipient in the SES stand-in's store. */
  emails: string[];
}

export interface BurstResult {
  outcomes: CardOutcome[];
  killed: boolean;
  rounds: number;
  /** Milliseconds from the first firing to the end of the burst's first round, and to the last round's end. */
  firstRoundMilliseconds: number;
  drainMilliseconds: number;
  deadLetters: number;
}

/** A small seeded generator (mulberry32), so a run's faults can be replayed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const { stack, clock } = options;
  const random = seeded(options.seed ?? 16);
  const dueLocal = "2027-03-01T10:00";
  const created: CreatedCard[] = [];
  for (let offset = 0; offset < options.cards; offset += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, options.cards - offset) }, async (_, index) => {
        const answer = await call(stack.edge.url, "/api/cards", {
          body: cardBody({ recipientEmail: `burst-${offset + index}@example.com`, deliverAt: dueLocal }),
        });
        if (answer.status !== 201) throw new Error(`creating a card answered ${answer.status}`);
        return answer.json as CreatedCard;
      }),
    );
    created.push(...batch);
  }

  // The delivery handler the stack registers, rebuilt over a database that dies while "killed".
  let killed = false;
  let dead = false;
  const database: Pick<Database, "query"> = {
    query: (sql, params) => {
      if (dead) return Promise.reject(new Error("the delivery process was killed"));
      return options.database.query(sql, params);
    },
  };
  const ses = new SESv2Client({
    endpoint: stack.ses.url,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 1,
  });
  stack.scheduler.setTarget(
    localDelivery.functionArn,
    createDeliveryHandler({
      database,
      ses,
      siteUrl: stack.edge.url,
      from: localDelivery.from,
      configurationSet: localDelivery.configurationSet,
      now: () => new Date(clock.now),
      sleep: options.sleep ?? (() => new Promise((resolve) => setImmediate(resolve))),
      log: () => {},
    }),
  );
  const twice = new Set(
    created.filter(() => random() < options.twiceShare).map((card) => `card-${card.card.id}`),
  );
  stack.scheduler.fireTwice = (schedule) => twice.has(schedule.Name);
  let cardEmails = 0;
  stack.ses.faults = (email) => {
    const draw = random();
    if (draw < options.sesFaultShare / 2) return "throttle";
    if (draw < options.sesFaultShare) return "error";
    if (email.tags.email === "card") {
      cardEmails += 1;
      if (cardEmails === options.killAfter && !killed) {
        killed = true;
        dead = true;
      }
    }
    return undefined;
  };

  try {
    clock.now = Date.parse("2027-03-01T10:00:00Z");
    const started = performance.now();
    await stack.scheduler.fireDue();
    const firstRoundMilliseconds = performance.now() - started;
    dead = false; // the process restarts: later invocations run normally
    let rounds = 1;
    while (stack.scheduler.pendingRetries > 0 && rounds < 200) {
      clock.now += 60_000;
      await stack.scheduler.fireDue();
      rounds += 1;
    }

    const drainMilliseconds = performance.now() - started;
    const byRecipient = new Map<string, string[]>();
    for (const email of stack.ses.emails)
      for (const to of email.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), email.messageId]);
    const rows = await options.database.query<{
      id: string;
      status: string;
      failure_reason: string | null;
      ses_message_id: string | null;
      recipient_email: string;
    }>(
      "SELECT id, status, failure_reason, ses_message_id, recipient_email FROM cards WHERE recipient_email LIKE 'burst-%'",
    );
    const outcomes = rows.map((row) => ({
      cardId: row.id,
      status: row.status,
      failureReason: row.failure_reason,
      sesMessageId: row.ses_message_id,
      emails: byRecipient.get(row.recipient_email) ?? [],
    }));
    return {
      outcomes,
      killed,
      rounds,
      firstRoundMilliseconds,
      drainMilliseconds,
      deadLetters: stack.scheduler.deadLetters.length,
    };
  } finally {
    stack.ses.faults = undefined;
    stack.scheduler.fireTwice = () => false;
    ses.destroy();
  }
}
