// Scheduled delivery through the whole local stack: a card made through the edge gets its one Scheduler
// schedule; moving the stack's clock fires it; the recipient finds exactly one email in the local SES with
// the card's content and link, the card reads sent and the organiser has a confirmation. Rescheduling moves
// the schedule, cancelling deletes it, and a card due after a DST change goes out at its local time.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { localDelivery } from "../../infra/local/scheduler/card-delivery.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import type { CardView, CreatedCard, OrganiserView } from "../../origin/cards/views.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { createDeliveryHandler } from "../../origin/delivery/handler.ts";
import { call, cardBody } from "../cards/edge-client.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";

const start = Date.parse("2027-03-01T09:00:00Z");
let clock = start;
let testStack: TestStack | undefined;
let stack: LocalStack;
let base: string;

beforeAll(async () => {
  testStack = await startTestStack("delivery", {
    now: () => clock,
    deliverySleep: async () => {},
  });
  stack = testStack.stack;
  base = stack.edge.url;
}, 180_000);

afterAll(async () => {
  await testStack?.close();
});

/** Moves the stack's clock to `instant` and lets the Scheduler stand-in fire what is due. */
async function moveClockTo(instant: string) {
  clock = Date.parse(instant);
  await stack.scheduler.fireDue();
}

const emailsTo = (address: string) => stack.ses.emails.filter((email) => email.to.includes(address));
const scheduleOf = (cardId: string) => stack.scheduler.schedules().find((s) => s.Name === `card-${cardId}`);

async function createCard(overrides: Record<string, unknown>) {
  const answer = await call(base, "/api/cards", { body: cardBody(overrides) });
  expect(answer.status).toBe(201);
  return answer.json as CreatedCard;
}

async function sign(created: CreatedCard, name: string) {
  const answer = await call(base, `/api/sign/${created.links.sign.slice(3)}/signatures`, {
    body: { name, message: "Many happy returns" },
  });
  expect(answer.status).toBe(201);
}

describe("scheduled delivery", () => {
  it("sends one email with the card at its time, marks it sent and confirms to the organiser", {
    timeout: 60_000,
  }, async () => {
    clock = start;
    const created = await createCard({
      recipientEmail: "sam@example.com",
      senderEmail: "alex@example.com",
      title: "Happy <birthday> & more",
      deliverAt: "2027-03-01T10:00",
    });
    await sign(created, "Ann <b>& Co</b>");
    await sign(created, "Bo");
    const schedule = scheduleOf(created.card.id);
    expect(schedule).toMatchObject({
      GroupName: localDelivery.groupName,
      ScheduleExpression: "at(2027-03-01T10:00:00)",
      ScheduleExpressionTimezone: "Europe/London",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      Target: {
        Arn: localDelivery.functionArn,
        Input: JSON.stringify({ cardId: created.card.id }),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: localDelivery.deadLetterQueueArn },
      },
    });

    await moveClockTo("2027-03-01T09:59:59Z");
    expect(emailsTo("sam@example.com")).toEqual([]);

    await moveClockTo("2027-03-01T10:00:00Z");
    const [email, ...more] = emailsTo("sam@example.com");
    expect(more).toEqual([]);
    // Links use the site's address for people (localhost), as npm start prints it.
    const link = `${stack.siteUrl}/c/${created.card.id}`;
    expect(email).toMatchObject({
      fromAddress: "cards@goodgreets.example",
      subject: "Happy <birthday> & more — a card from Alex",
      tags: { card_id: created.card.id, email: "card" },
      configurationSet: localDelivery.configurationSet,
    });
    expect(email?.text).toContain(`Open your card: ${link}`);
    expect(email?.text).toContain("Ann <b>& Co</b> and Bo signed a card for you.");
    expect(email?.html).toContain(`href="${link}"`);
    expect(email?.html).toContain("Ann &lt;b&gt;&amp; Co&lt;/b&gt; and Bo");
    expect(email?.html).toContain("Happy &lt;birthday&gt; &amp; more");
    expect(email?.html).not.toContain("<b>&");
    expect(email?.html).toContain(`src="${stack.siteUrl}${created.card.design.imageUrl}?w=1280"`);
    // The event destination saw the send, tagged with the card.
    expect(
      stack.ses.events
        .get(localDelivery.configurationSet)
        ?.filter((event) => event.mail.messageId === email?.messageId),
    ).toEqual([
      expect.objectContaining({
        eventType: "Send",
        mail: expect.objectContaining({ tags: { card_id: [created.card.id], email: ["card"] } }),
      }),
    ]);

    const read = await call(base, `/api/cards/${created.card.id}`);
    expect(read.status).toBe(200);
    expect((read.json as CardView).card.status).toBe("sent");
    const confirmations = emailsTo("alex@example.com").filter((e) => e.tags.card_id === created.card.id);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.tags.email).toBe("confirmation");
    expect(confirmations[0]?.text).toContain("we delivered");
    // ActionAfterCompletion DELETE: the schedule is gone; firing again sends nothing more.
    expect(scheduleOf(created.card.id)).toBeUndefined();
    await moveClockTo("2027-03-01T10:05:00Z");
    expect(emailsTo("sam@example.com")).toHaveLength(1);
  });

  it("moves the schedule when the card is rescheduled and deletes it when the card is cancelled", {
    timeout: 60_000,
  }, async () => {
    clock = start;
    const moved = await createCard({ recipientEmail: "moved@example.com", deliverAt: "2027-03-02T09:00" });
    const cancelled = await createCard({
      recipientEmail: "cancelled@example.com",
      deliverAt: "2027-03-02T09:00",
    });
    const patch = await call(base, `/api/cards/${moved.card.id}`, {
      method: "PATCH",
      body: { deliverAt: "2027-03-03T12:30", timeZone: "America/New_York" },
      headers: { "x-organiser-secret": moved.organiserSecret },
    });
    expect(patch.status).toBe(200);
    expect(scheduleOf(moved.card.id)).toMatchObject({
      ScheduleExpression: "at(2027-03-03T12:30:00)",
      ScheduleExpressionTimezone: "America/New_York",
    });
    const cancel = await call(base, `/api/cards/${cancelled.card.id}/cancel`, {
      body: "",
      headers: { "x-organiser-secret": cancelled.organiserSecret },
    });
    expect(cancel.status).toBe(200);
    expect(scheduleOf(cancelled.card.id)).toBeUndefined();

    await moveClockTo("2027-03-02T09:00:00Z");
    expect(emailsTo("moved@example.com")).toEqual([]);
    expect(emailsTo("cancelled@example.com")).toEqual([]);
    // 12:30 in New York in early March is 17:30 UTC (EST).
    await moveClockTo("2027-03-03T17:29:59Z");
    expect(emailsTo("moved@example.com")).toEqual([]);
    await moveClockTo("2027-03-03T17:30:00Z");
    expect(emailsTo("moved@example.com")).toHaveLength(1);
    expect(emailsTo("cancelled@example.com")).toEqual([]);
    const organiser = await call(base, `/api/cards/${cancelled.card.id}/organiser`, {
      headers: { "x-organiser-secret": cancelled.organiserSecret },
    });
    expect((organiser.json as OrganiserView).card.status).toBe("cancelled");

    const deleted = await createCard({
      recipientEmail: "deleted@example.com",
      deliverAt: "2027-03-04T09:00",
    });
    expect(scheduleOf(deleted.card.id)).toBeDefined();
    const gone = await call(base, `/api/cards/${deleted.card.id}`, {
      method: "DELETE",
      headers: { "x-organiser-secret": deleted.organiserSecret },
    });
    expect(gone.status).toBe(204);
    expect(scheduleOf(deleted.card.id)).toBeUndefined();
  });

  it("sends a card due after the clocks change at its local time", { timeout: 60_000 }, async () => {
    clock = start;
    // Made in GMT (March), due at 09:00 on 15 April, which is BST: 08:00 UTC, not 09:00.
    const created = await createCard({ recipientEmail: "dst@example.com", deliverAt: "2027-04-15T09:00" });
    await moveClockTo("2027-04-15T07:59:59Z");
    expect(emailsTo("dst@example.com")).toEqual([]);
    await moveClockTo("2027-04-15T08:00:00Z");
    expect(emailsTo("dst@example.com")).toHaveLength(1);
    const read = await call(base, `/api/cards/${created.card.id}`);
    expect((read.json as CardView).card).toMatchObject({
      status: "sent",
      deliveredAt: "2027-04-15T08:00:00.000Z",
    });
  });

  it("fails a card SES refuses, with SES's reason on the organiser's page, and sends nothing", {
    timeout: 60_000,
  }, async () => {
    clock = start;
    const created = await createCard({
      recipientEmail: "refused@example.com",
      deliverAt: "2027-03-05T09:00",
    });
    // A delivery configured with a sender the account never verified: SES refuses every email.
    const ses = new SESv2Client({
      endpoint: stack.ses.url,
      region: localRegion,
      credentials: localCredentials,
      maxAttempts: 1,
    });
    const refused = await startRefusingDelivery(ses);
    try {
      await moveClockTo("2027-03-05T09:00:00Z");
    } finally {
      refused.restore();
      ses.destroy();
    }
    expect(emailsTo("refused@example.com")).toEqual([]);
    const organiser = await call(base, `/api/cards/${created.card.id}/organiser`, {
      headers: { "x-organiser-secret": created.organiserSecret },
    });
    expect((organiser.json as OrganiserView).card).toMatchObject({
      status: "failed",
      failureReason:
        "MessageRejected: Email address is not verified. The following identities failed the check in region US-EAST-1: cards@unverified.example",
    });
    expect(stack.scheduler.deadLetters).toEqual([]);
  });
});

/** Points the delivery target at a handler whose sender is not verified; restore() puts the stack's back. */
async function startRefusingDelivery(ses: SESv2Client) {
  const original = stack.scheduler.getTarget(localDelivery.functionArn);
  const client = new RDSDataClient({
    endpoint: stack.dataApi.url,
    region: localRegion,
    credentials: localCredentials,
  });
  stack.scheduler.setTarget(
    localDelivery.functionArn,
    createDeliveryHandler({
      database: createDatabase({ ...localDatabase, client }),
      ses,
      siteUrl: base,
      from: "GoodGreets <cards@unverified.example>",
      now: () => new Date(clock),
    }),
  );
  return {
    restore: () => {
      if (original) stack.scheduler.setTarget(localDelivery.functionArn, original);
      client.destroy();
    },
  };
}
