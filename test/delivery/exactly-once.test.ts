// Exactly once under faults, at 200 cards so it fits in npm test (npm run bench runs the 2,000-card burst
// the issue names, with the same code: test/delivery/exactly-once.ts).
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, expect, it } from "vitest";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";
import { runBurst } from "./exactly-once.ts";

const clock = { now: Date.parse("2027-03-01T09:00:00Z") };
let testStack: TestStack | undefined;
let stack: LocalStack;
let client: RDSDataClient;

beforeAll(async () => {
  testStack = await startTestStack("exactly-once", {
    now: () => clock.now,
  });
  stack = testStack.stack;
  client = new RDSDataClient({
    endpoint: stack.dataApi.url,
    region: localRegion,
    credentials: localCredentials,
  });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await testStack?.close();
});

it("sends every card of a faulty burst exactly once, or fails it with a reason", {
  timeout: 120_000,
}, async () => {
  const result = await runBurst({
    stack,
    database: createDatabase({ ...localDatabase, client }),
    clock,
    cards: 200,
    twiceShare: 0.25,
    sesFaultShare: 0.2,
    killAfter: 60,
  });
  expect(result.killed).toBe(true);
  expect(result.outcomes).toHaveLength(200);
  const doubled = result.outcomes.filter((card) => card.emails.length > 1);
  expect(doubled).toEqual([]);
  const lost = result.outcomes.filter((card) => card.status !== "sent" && card.status !== "failed");
  expect(lost).toEqual([]);
  for (const card of result.outcomes) {
    if (card.status === "sent") expect(card.emails).toEqual([card.sesMessageId]);
    else expect(card.failureReason).toMatch(/^outcome unknown/);
  }
  // Only the invocations in flight at the kill (at most the Scheduler's 100 at once) can end unknown;
  // every card the kill stopped before its claim was retried and went out.
  const sent = result.outcomes.filter((card) => card.status === "sent").length;
  expect(200 - sent).toBeLessThanOrEqual(100);
  expect(result.deadLetters).toBe(0);
  console.log(
    `exactly once: ${sent} sent, ${200 - sent} failed as outcome unknown ` +
      `(${result.outcomes.filter((card) => card.status === "failed" && card.emails.length === 1).length} of them did reach SES), ` +
      `${result.rounds} scheduler rounds`,
  );
});
