// The EventBridge Scheduler stand-in: Scheduler's REST-JSON API on loopback (schedules and schedule groups:
// create, update, get, list, delete) for the real SchedulerClient, the AWS CLI and boto3, SigV4-verified,
// kept in a journal under the data dir, firing due one-time schedules into registered Lambda handlers
// (firing.ts) on a clock tests can move. It can be told to fire a schedule twice, as the real one may. The
// operations themselves are in api.ts; this file verifies, parses and answers.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { AwsError } from "../aws-error.ts";
import { type SigningCredentials, sha256Hex, signedRequestOf, verifySignature } from "../aws-signature.ts";
import { localCredentials, localRegion } from "../config.ts";
import { readBody } from "../request-body.ts";
import { listen, type RunningService } from "../service.ts";
import { groupArn, schedulerOperation, seconds } from "./api.ts";
import { type DeadLetter, type LambdaTarget, ScheduleFiring } from "./firing.ts";
import type { StoredSchedule } from "./schedule-rules.ts";
import { ScheduleStore } from "./schedule-store.ts";

export interface SchedulerStandInOptions {
  /** Where the journal is kept; undefined keeps schedules in memory only. */
  dataDir?: string;
  port?: number;
  host?: string;
  /** The clock schedules fire by (movable in tests); signatures are checked against the real one. */
  now?: () => number;
  credentials?: readonly SigningCredentials[];
  /** Lambda ARN → handler. */
  targets?: Record<string, LambdaTarget>;
  /** How often due schedules are looked for; 0 (the default) fires only when fireDue() is called. */
  pollMilliseconds?: number;
  /** Invocations at once (the target's reserved concurrency). */
  concurrency?: number;
  log?: (message: string) => void;
}

export interface SchedulerStandIn extends RunningService {
  setTarget(arn: string, handler: LambdaTarget): void;
  getTarget(arn: string): LambdaTarget | undefined;
  /** Fires every schedule and retry due by the clock, and waits for them to finish. */
  fireDue(): Promise<{ invocations: number; failures: number }>;
  /** Which schedules fire twice, concurrently, when they come due (none by default). */
  fireTwice: (schedule: StoredSchedule) => boolean;
  readonly pendingRetries: number;
  readonly deadLetters: readonly DeadLetter[];
  schedules(): StoredSchedule[];
}

const maxBodyBytes = 1024 * 1024;

export async function startSchedulerStandIn(
  options: SchedulerStandInOptions = {},
): Promise<SchedulerStandIn> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const store = await ScheduleStore.open(
    options.dataDir ? join(options.dataDir, "schedules.jsonl") : undefined,
  );
  if (!store.groups.has("default"))
    await store.putGroup({
      Name: "default",
      Arn: groupArn("default"),
      CreationDate: seconds(now()),
      LastModificationDate: seconds(now()),
    });
  const firing = new ScheduleFiring({
    store,
    targets: new Map(Object.entries(options.targets ?? {})),
    now,
    concurrency: options.concurrency ?? 100,
    log,
  });

  function reply(outgoing: ServerResponse, status: number, body: unknown, errorType?: string) {
    const text = JSON.stringify(body);
    outgoing.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": randomUUID(),
      ...(errorType ? { "x-amzn-errortype": errorType } : {}),
    });
    outgoing.end(text);
  }

  async function answer(incoming: IncomingMessage, outgoing: ServerResponse) {
    const body = await readBody(incoming, maxBodyBytes);
    if (!body) return reply(outgoing, 413, { Message: "Request too large." }, "ValidationException");
    const verdict = await verifySignature(signedRequestOf(incoming), {
      service: "scheduler",
      region: localRegion,
      credentials: options.credentials ?? [localCredentials],
      uriEscapePath: true,
      now: Date.now(),
      bodySha256: sha256Hex(body),
    });
    if (!verdict.ok) {
      const code =
        verdict.code === "SignatureDoesNotMatch"
          ? "InvalidSignatureException"
          : "UnrecognizedClientException";
      return reply(outgoing, 403, { Message: verdict.message }, code);
    }
    const url = new URL(incoming.url ?? "/", "http://scheduler.local");
    let parsed: unknown;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return reply(
          outgoing,
          400,
          { Message: "The request body is not valid JSON." },
          "ValidationException",
        );
      }
    }
    try {
      reply(
        outgoing,
        200,
        await schedulerOperation(store, incoming.method ?? "GET", url.pathname, url.searchParams, parsed),
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      reply(outgoing, error.status, { Message: error.message }, error.code);
    }
  }

  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch((error: unknown) => {
      log(`scheduler: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!outgoing.headersSent)
        reply(outgoing, 500, { Message: "Internal error." }, "InternalServerException");
      else outgoing.destroy();
    });
  });
  const poll =
    options.pollMilliseconds && options.pollMilliseconds > 0
      ? setInterval(
          () => void firing.fireDue().catch((error: unknown) => log(`scheduler: ${String(error)}`)),
          options.pollMilliseconds,
        )
      : undefined;
  const running = await listen(server, options, async () => {
    if (poll) clearInterval(poll);
    await firing.settled();
    await store.flush();
  });
  return Object.assign(firing, {
    schedules: () => [...store.schedules.values()],
    url: running.url,
    close: running.close,
  });
}
