// `npm start`: runs the whole app on loopback, writes data/local.env for the AWS CLI and SDKs, prints where
// everything is, and stops cleanly on the first Ctrl-C whatever is running.
import { join } from "node:path";
import { latestReportPath, startReportServer } from "../metrics/report-server.ts";
import { stackClock } from "./clock.ts";
import { localDataDir } from "./config.ts";
import { localEnvironment, writeLocalEnv } from "./local-env.ts";
import { localPorts } from "./ports.ts";
import { type LocalStack, startLocalStack } from "./stack.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
/** How long a stop may take before the process exits anyway: a last resort, never the normal path. */
const stopGraceMs = 15_000;

let stack: LocalStack | undefined;
let starting: Promise<LocalStack> | undefined;
let stopping = false;

function stop() {
  if (stopping) {
    console.log("Stopping at once.");
    process.exit(130);
  }
  stopping = true;
  console.log("\nStopping…");
  setTimeout(() => {
    console.error(`Still stopping after ${stopGraceMs / 1000} s: exiting anyway.`);
    process.exit(1);
  }, stopGraceMs).unref();
  // A stop during start-up waits for it, then closes it; a start the signal cut short (its child
  // processes got the same Ctrl-C) has already closed what it had started.
  const closed = stack
    ? stack.close()
    : (starting ?? Promise.resolve(undefined)).then(
        (started) => started?.close(),
        () => undefined,
      );
  closed.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("Stopped with an error:", error);
      process.exit(1);
    },
  );
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

function fail(error: unknown): never {
  console.error(
    `\nThe local stack could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE")
    console.error("A port is taken: stop the other process, or set GOODGREETS_PORT (see the README).");
  process.exit(1);
}

/** Resolves with the running stack; a stop during start-up leaves it to stop(), which exits. */
async function start(): Promise<LocalStack> {
  try {
    starting = startLocalStack({
      dataDir: localDataDir,
      siteFolder: process.env.GOODGREETS_SITE_DIR ?? join(repositoryRoot, "dist/site"),
      artFolder: join(repositoryRoot, "site/catalog/art"),
      repositoryRoot,
      ports: localPorts(process.env),
      now: stackClock(process.env.GOODGREETS_NOW),
      // Due schedules fire within a second, as Scheduler fires at the minute's start (FlexibleTimeWindow OFF).
      schedulerPollMilliseconds: 1000,
      progress: (message) => console.log(`  · ${message}`),
    });
    stack = await starting;
  } catch (error) {
    if (!stopping) fail(error);
  }
  if (stopping || !stack) return new Promise<never>(() => {});
  return stack;
}

console.log("GoodGreets local stack");
const running = await start();
const envFile = join(localDataDir, "local.env");
await writeLocalEnv(
  envFile,
  localEnvironment({
    edge: running.edge.url,
    s3: running.s3.url,
    dataApi: running.dataApi.url,
    scheduler: running.scheduler.url,
    ses: running.ses.url,
    cloudfront: running.cloudfront.url,
  }),
);

const site = running.siteUrl;
// The latest `npm run metrics` report, read afresh on each load; its port taken stops what has started.
const report = await startReportServer({
  file: latestReportPath,
  port: localPorts(process.env).metrics,
}).catch(async (error: unknown) => {
  await running.close();
  return fail(error);
});
console.log(`
Ready.
  Site (through the local CloudFront)  ${site}/
  API health                           ${site}/api/health
  Edge access logs (CloudFront format) ${running.accessLogDirectory}
  Edge metrics report                  ${report.url} (npm run traffic, then npm run metrics)
  S3 stand-in                          ${running.s3.url}
  RDS Data API stand-in                ${running.dataApi.url}
  API function URL stand-in            ${running.functionUrl.url} (answers the edge's signature only)
  Scheduler stand-in                   ${running.scheduler.url} (fires due card schedules every second)
  SES v2 stand-in                      ${running.ses.url}
  Mailbox (emails sent by SES)         ${running.ses.mailboxUrl}
  CloudFront API stand-in              ${running.cloudfront.url} (invalidations of the local edge's cache)
  Data kept in                         ${localDataDir}
  AWS CLI / SDK settings               ${envFile}
                                       set -a; . ${envFile}; set +a; aws s3 ls
Press Ctrl-C to stop.`);
