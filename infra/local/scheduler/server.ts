// The EventBridge Scheduler stand-in: Scheduler's REST-JSON API on loopback (schedules and schedule groups:
// create, update, get, list, delete) for the real SchedulerClient, the AWS CLI and boto3, SigV4-verified,
// kept in a journal under the data dir, firing due one-time schedules into registered Lambda handlers
// (firing.ts) on a clock tests can move. It can be told to fire a schedule twice, as the real one may.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { AwsError } from "../aws-error.ts";
import { type SigningCredentials, sha256Hex, signedRequestOf, verifySignature } from "../aws-signature.ts";
import { localAccountId, localCredentials, localRegion } from "../config.ts";
import { readBody } from "../request-body.ts";
import { listen, type RunningService } from "../service.ts";
import {
  type DeadLetter,
  type Invocation,
  invoke,
  type LambdaTarget,
  retryDelayMilliseconds,
  runLimited,
} from "./firing.ts";
import {
  checkSchedule,
  conflict,
  namePattern,
  notFound,
  type StoredSchedule,
  validation,
} from "./schedule-rules.ts";
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
const seconds = (milliseconds: number) => Math.floor(milliseconds / 1000);

export async function startSchedulerStandIn(
  options: SchedulerStandInOptions = {},
): Promise<SchedulerStandIn> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const store = await ScheduleStore.open(
    options.dataDir ? join(options.dataDir, "schedules.jsonl") : undefined,
  );
  const targets = new Map(Object.entries(options.targets ?? {}));
  const groupArn = (name: string) =>
    `arn:aws:scheduler:${localRegion}:${localAccountId}:schedule-group/${name}`;
  if (!store.groups.has("default"))
    await store.putGroup({
      Name: "default",
      Arn: groupArn("default"),
      CreationDate: seconds(now()),
      LastModificationDate: seconds(now()),
    });

  const inFlight = new Map<string, { schedule: StoredSchedule; chains: number }>();
  let retries: Invocation[] = [];
  const deadLetters: DeadLetter[] = [];
  const keyOf = (schedule: StoredSchedule) => `${schedule.GroupName}/${schedule.Name}`;

  /** One invocation chain ended: when the schedule's last chain ends it completes (DELETE removes it). */
  async function chainEnded(schedule: StoredSchedule) {
    const entry = inFlight.get(keyOf(schedule));
    if (!entry || entry.schedule !== schedule) return;
    entry.chains -= 1;
    if (entry.chains > 0) return;
    inFlight.delete(keyOf(schedule));
    // A schedule replaced while it ran is a new schedule: it stays.
    if (store.get(schedule.GroupName, schedule.Name) !== schedule) return;
    if (schedule.ActionAfterCompletion === "DELETE") await store.delete(schedule.GroupName, schedule.Name);
    else await store.put({ ...schedule, State: "DISABLED" });
  }

  async function run(invocation: Invocation) {
    const { schedule } = invocation;
    const result = await invoke(targets, schedule, randomUUID());
    if (result.ok) return chainEnded(schedule);
    const policy = schedule.Target.RetryPolicy ?? {
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: 86_400,
    };
    const retry = invocation.retry + 1;
    const dueAt = now() + retryDelayMilliseconds(retry);
    const firedAt = schedule.fireAt ?? invocation.dueAt;
    if (
      retry <= (policy.MaximumRetryAttempts ?? 185) &&
      dueAt - firedAt <= (policy.MaximumEventAgeInSeconds ?? 86_400) * 1000
    ) {
      retries.push({ schedule, retry, dueAt });
      return;
    }
    deadLetters.push({
      scheduleArn: schedule.Arn,
      targetArn: schedule.Target.Arn,
      input: schedule.Target.Input,
      error: result.error ?? "failed",
      retries: invocation.retry,
    });
    log(`scheduler: ${schedule.Name} out of retries (${result.error}); sent to the dead-letter queue`);
    return chainEnded(schedule);
  }

  let firing: Promise<{ invocations: number; failures: number }> | undefined;
  const standIn = {
    fireTwice: (_schedule: StoredSchedule) => false,
    setTarget(arn: string, handler: LambdaTarget) {
      targets.set(arn, handler);
    },
    getTarget: (arn: string) => targets.get(arn),
    get pendingRetries() {
      return retries.length;
    },
    deadLetters,
    schedules: () => [...store.schedules.values()],
    fireDue() {
      firing ??= (async () => {
        const clock = now();
        const due: Invocation[] = [];
        for (const schedule of store.schedules.values()) {
          const { fireAt } = schedule;
          if (
            schedule.State !== "ENABLED" ||
            fireAt === null ||
            fireAt > clock ||
            inFlight.has(keyOf(schedule))
          )
            continue;
          const twice = standIn.fireTwice(schedule);
          inFlight.set(keyOf(schedule), { schedule, chains: twice ? 2 : 1 });
          due.push({ schedule, retry: 0, dueAt: fireAt });
          if (twice) due.push({ schedule, retry: 0, dueAt: fireAt });
        }
        due.push(...retries.filter((retry) => retry.dueAt <= clock));
        retries = retries.filter((retry) => retry.dueAt > clock);
        const before = deadLetters.length + retries.length;
        await runLimited(due, options.concurrency ?? 100, run);
        return { invocations: due.length, failures: deadLetters.length + retries.length - before };
      })().finally(() => {
        firing = undefined;
      });
      return firing;
    },
  };

  async function operation(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
  ): Promise<unknown> {
    const [collection, rawName, extra] = path.split("/").slice(1);
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    if (extra !== undefined || (name !== undefined && !namePattern.test(name)))
      throw validation("Name must be 1 to 64 characters of letters, digits, '-', '_' and '.'.");
    const stamp = seconds(Date.now());
    if (collection === "schedules" && name !== undefined) {
      const group =
        method === "GET" || method === "DELETE" ? (query.get("groupName") ?? "default") : undefined;
      if (method === "POST" || method === "PUT") {
        const fields = checkSchedule(body);
        if (!store.groups.has(fields.GroupName))
          throw notFound(`Schedule group ${fields.GroupName} does not exist.`);
        const existing = store.get(fields.GroupName, name);
        if (method === "POST" && existing) throw conflict(`Schedule ${name} already exists.`);
        if (method === "PUT" && !existing) throw notFound(`Schedule ${name} does not exist.`);
        const Arn = `arn:aws:scheduler:${localRegion}:${localAccountId}:schedule/${fields.GroupName}/${name}`;
        await store.put({
          ...fields,
          Name: name,
          Arn,
          CreationDate: existing?.CreationDate ?? stamp,
          LastModificationDate: stamp,
        });
        return { ScheduleArn: Arn };
      }
      const schedule = store.get(group ?? "default", name);
      if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
      if (method === "DELETE") {
        await store.delete(schedule.GroupName, name);
        return {};
      }
      if (method === "GET") {
        const { fireAt: _fireAt, ...view } = schedule;
        return view;
      }
    }
    if (collection === "schedules" && name === undefined && method === "GET") {
      const group = query.get("ScheduleGroup");
      const prefix = query.get("NamePrefix") ?? "";
      const state = query.get("State");
      const matching = [...store.schedules.values()]
        .filter(
          (s) =>
            (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
        )
        .toSorted((a, b) => (a.Arn < b.Arn ? -1 : 1));
      return page(matching, query, "Schedules", (s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate,
        LastModificationDate: s.LastModificationDate,
        Target: { Arn: s.Target.Arn },
      }));
    }
    if (collection === "schedule-groups" && name !== undefined) {
      const existing = store.groups.get(name);
      if (method === "POST") {
        if (existing) throw conflict(`Schedule group ${name} already exists.`);
        const group = { Name: name, Arn: groupArn(name), CreationDate: stamp, LastModificationDate: stamp };
        await store.putGroup(group);
        return { ScheduleGroupArn: group.Arn };
      }
      if (!existing) throw notFound(`Schedule group ${name} does not exist.`);
      if (method === "GET") return { ...existing, State: "ACTIVE" };
      if (method === "DELETE") {
        if (name === "default") throw validation("The default schedule group cannot be deleted.");
        await store.deleteGroup(name);
        return {};
      }
    }
    if (collection === "schedule-groups" && name === undefined && method === "GET") {
      const prefix = query.get("NamePrefix") ?? "";
      const matching = [...store.groups.values()].filter((g) => g.Name.startsWith(prefix));
      return page(matching, query, "ScheduleGroups", (g) => ({ ...g, State: "ACTIVE" }));
    }
    throw new AwsError(404, "UnknownOperationException", `No operation ${method} ${path} in this Scheduler.`);
  }

  /** One page of a listing; NextToken is the index to go on from. */
  function page<T>(items: T[], query: URLSearchParams, field: string, view: (item: T) => unknown) {
    const max = Number(query.get("MaxResults") ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw validation("MaxResults must be from 1 to 100.");
    const token = query.get("NextToken");
    const start = token === null ? 0 : Number(token);
    if (!Number.isInteger(start) || start < 0 || start > items.length) throw validation("Invalid NextToken.");
    const slice = items.slice(start, start + max);
    return {
      [field]: slice.map(view),
      ...(start + max < items.length ? { NextToken: String(start + max) } : {}),
    };
  }

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
      reply(outgoing, 200, await operation(incoming.method ?? "GET", url.pathname, url.searchParams, parsed));
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
          () => void standIn.fireDue().catch((error: unknown) => log(`scheduler: ${String(error)}`)),
          options.pollMilliseconds,
        )
      : undefined;
  const running = await listen(server, options, async () => {
    if (poll) clearInterval(poll);
    await firing;
    await store.flush();
  });
  return Object.assign(standIn, { url: running.url, close: running.close });
}
