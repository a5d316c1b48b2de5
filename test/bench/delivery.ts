// `npm run bench`, delivery: the 2,000-card exactly-once burst (test/delivery/exactly-once.ts, which npm test
// runs at 200 cards) against the local stack with the SES stand-in held to a send rate
// (GOODGREETS_BENCH_SES_RATE emails/s, 100 by default): how long the burst takes to drain, delivery
// throughput in cards/s, and the share of the send rate achieved. Each card is two emails (the card and
// the organiser's confirmation), so cards/s is at most half the rate. Nothing here asserts.
import { rm } from "node:fs/promises";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { runBurst } from "../delivery/exactly-once.ts";
import { startTempStack } from "../local/temp-stack.ts";
import { benchSite } from "./site-build.ts";

const cards = 2000;

export async function benchDelivery(): Promise<void> {
  const rate = Number(process.env.GOODGREETS_BENCH_SES_RATE ?? 100);
  if (!(rate > 0))
    throw new Error("GOODGREETS_BENCH_SES_RATE must be a positive number of emails per second");
  console.log(
    `\ndelivery: ${cards} cards due in one minute, a quarter fired twice, 20% of SES calls throttled or failed, ` +
      `the delivery killed once; SES send rate ${rate}/s`,
  );
  const temporary: string[] = [];
  try {
    // The cards' pages are not measured here, but the stack publishes a site: this tree's, as it ships.
    const site = await benchSite("delivery", (message) => console.log(`  · ${message}`));
    if (site.fresh) temporary.push(site.folder);
    const siteFolder = site.folder;
    const clock = { now: Date.parse("2027-03-01T09:00:00Z") };
    const tempStack = await startTempStack("bench-delivery", siteFolder, {
      now: () => clock.now,
      sesMaxSendRate: rate,
    });
    const { stack } = tempStack;
    const client = new RDSDataClient({
      endpoint: stack.dataApi.url,
      region: localRegion,
      credentials: localCredentials,
    });
    try {
      const emailsBefore = stack.ses.emails.length;
      const result = await runBurst({
        stack,
        database: createDatabase({ ...localDatabase, client }),
        clock,
        cards,
        twiceShare: 0.25,
        sesFaultShare: 0.2,
        killAfter: 600,
        sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
      });
      const seconds = result.drainMilliseconds / 1000;
      const sent = result.outcomes.filter((card) => card.status === "sent").length;
      const unknown = result.outcomes.filter((card) => card.status === "failed").length;
      const doubled = result.outcomes.filter((card) => card.emails.length > 1).length;
      const lost = result.outcomes.filter(
        (card) => card.status !== "sent" && card.status !== "failed",
      ).length;
      const emails = stack.ses.emails.length - emailsBefore;
      console.log(
        `  drained in ${seconds.toFixed(1)} s (${result.rounds} scheduler rounds, first round ${(result.firstRoundMilliseconds / 1000).toFixed(1)} s)\n` +
          `  throughput ${(sent / seconds).toFixed(1)} cards/s; ${emails} emails accepted = ${(emails / seconds).toFixed(1)}/s, ` +
          `${((emails / seconds / rate) * 100).toFixed(0)}% of the send rate\n` +
          `  exactly once: ${sent} sent, ${unknown} failed as outcome unknown (the kill), ${doubled} doubled, ${lost} lost, ` +
          `${result.deadLetters} dead letters`,
      );
    } finally {
      client.destroy();
      await tempStack.close();
    }
  } finally {
    for (const folder of temporary) await rm(folder, { recursive: true, force: true });
  }
}
