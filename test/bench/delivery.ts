// `npm run bench`, delivery: the 2,000-card exactly-once burst (test/delivery/exactly-once.ts, which npm test
// runs at 200 cards) against the local stack with the SES stand-in held to a send rate
// (GOODGREETS_BENCH_SES_RATE emails/s, 100 by default): how long the burst takes to drain, delivery
// throughput in cards/s, and the share of the send rate achieved. Each card is two emails (the card and
// the organiser's confirmation), so cards/s is at most half the rate. Nothing here asserts.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { startLocalStack } from "../../infra/local/stack.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { runBurst } from "../delivery/exactly-once.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
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
    let siteFolder = join(repositoryRoot, "dist/site");
    if (!existsSync(join(siteFolder, "index.html"))) {
      siteFolder = await mkdtemp(join(tmpdir(), "goodgreets-bench-delivery-site-"));
      temporary.push(siteFolder);
      await promisify(execFile)(
        process.execPath,
        [join(repositoryRoot, "node_modules/astro/bin/astro.mjs"), "build", "--outDir", siteFolder],
        { cwd: repositoryRoot, env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" }, timeout: 180_000 },
      );
    }
    const dataDir = await mkdtemp(join(tmpdir(), "goodgreets-bench-delivery-"));
    temporary.push(dataDir);
    await chmod(dataDir, 0o711);
    const clock = { now: Date.parse("2027-03-01T09:00:00Z") };
    const stack = await startLocalStack({
      dataDir,
      siteFolder,
      artFolder: join(repositoryRoot, "site/catalog/art"),
      repositoryRoot,
      ports: { edge: 0, s3: 0, dataApi: 0, functionUrl: 0 },
      now: () => clock.now,
      sesMaxSendRate: rate,
    });
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
      await stack.close();
    }
  } finally {
    for (const folder of temporary) await rm(folder, { recursive: true, force: true });
  }
}
