// The SES v2 stand-in: SendEmail over REST-JSON for the real SESv2Client (SigV4-verified), refusing what SES
// refuses (ses-rules.ts), throttling above the account's send rate as SES does (TooManyRequestsException,
// the message dropped), recording each configuration set's send events, keeping every accepted email in a
// journal under the data dir, and a mailbox web page where a person reads what was sent.
// (aws-ses-v2-local accepts any sender and address and has no send rate or event destinations, so it could
// not be held to the refusals the delivery depends on.)

import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { AwsError } from "../aws-error.ts";
import { type SigningCredentials, sha256Hex, signedRequestOf, verifySignature } from "../aws-signature.ts";
import { localCredentials, localRegion } from "../config.ts";
import { readBody } from "../request-body.ts";
import { listen, type RunningService } from "../service.ts";
import { mailboxPage, messagePage } from "./mailbox.ts";
import { checkSendEmail, type StoredEmail, sendEvent } from "./ses-rules.ts";

/** An injected fault for a SendEmail call that passed the checks: throttle it, or fail it with a 500. */
export type SesFault = "throttle" | "error" | undefined;

export interface SesStandInOptions {
  dataDir?: string;
  port?: number;
  host?: string;
  credentials?: readonly SigningCredentials[];
  /** Verified identities: addresses and whole domains. */
  verifiedIdentities: readonly string[];
  /** Configuration sets that exist; SendEmail naming another is refused (NotFoundException). */
  configurationSets?: readonly string[];
  /** The account's maximum send rate (emails per second); unlimited when left out. */
  maxSendRate?: number;
  faults?: (email: StoredEmail) => SesFault;
}

export interface SesStandIn extends RunningService {
  /** Accepted emails, oldest first. */
  readonly emails: readonly StoredEmail[];
  /** Send events per configuration set, as its event destination received them. */
  readonly events: ReadonlyMap<string, ReturnType<typeof sendEvent>[]>;
  faults: ((email: StoredEmail) => SesFault) | undefined;
  /** The mailbox page a person opens. */
  readonly mailboxUrl: string;
}

const maxBodyBytes = 10 * 1024 * 1024;

export async function startSesStandIn(options: SesStandInOptions): Promise<SesStandIn> {
  const region = localRegion;
  const verified = new Set(options.verifiedIdentities.map((identity) => identity.toLowerCase()));
  const configurationSets = new Set(options.configurationSets ?? []);
  const emails: StoredEmail[] = [];
  const events = new Map<string, ReturnType<typeof sendEvent>[]>();
  const journal = options.dataDir ? join(options.dataDir, "emails.jsonl") : undefined;
  let writing: Promise<void> = Promise.resolve();
  if (journal) {
    await mkdir(options.dataDir as string, { recursive: true });
    let text = "";
    try {
      text = await readFile(journal, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) if (line) emails.push(JSON.parse(line) as StoredEmail);
  }

  // A token bucket a second deep: SES allows the rate on average and throttles what goes over it.
  const rate = options.maxSendRate;
  let tokens = rate ?? 0;
  let filledAt = performance.now();
  function takeToken(): boolean {
    if (rate === undefined) return true;
    const at = performance.now();
    tokens = Math.min(rate, tokens + ((at - filledAt) / 1000) * rate);
    filledAt = at;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  function sendEmail(body: unknown): { MessageId: string } {
    const checked = checkSendEmail(body, verified, region);
    if (checked.configurationSet && !configurationSets.has(checked.configurationSet))
      throw new AwsError(
        404,
        "NotFoundException",
        `Configuration set <${checked.configurationSet}> does not exist.`,
      );
    const email: StoredEmail = {
      ...checked,
      messageId: `0100${randomUUID()}-000000`,
      timestamp: new Date().toISOString(),
    };
    const fault = standIn.faults?.(email);
    if (fault === "throttle" || !takeToken())
      throw new AwsError(429, "TooManyRequestsException", "Maximum sending rate exceeded.");
    if (fault === "error")
      throw new AwsError(
        500,
        "InternalFailure",
        "The request processing has failed because of an unknown error.",
      );
    emails.push(email);
    if (email.configurationSet) {
      const list = events.get(email.configurationSet) ?? [];
      list.push(sendEvent(email));
      events.set(email.configurationSet, list);
    }
    if (journal) writing = writing.then(() => appendFile(journal, `${JSON.stringify(email)}\n`));
    return { MessageId: email.messageId };
  }

  function reply(
    outgoing: ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) {
    outgoing.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...extra });
    outgoing.end(body);
  }
  const json = (outgoing: ServerResponse, status: number, body: unknown, errorType?: string) =>
    reply(outgoing, status, "application/json", JSON.stringify(body), {
      "x-amzn-requestid": randomUUID(),
      ...(errorType ? { "x-amzn-errortype": errorType } : {}),
    });

  async function answer(incoming: IncomingMessage, outgoing: ServerResponse) {
    const rawUrl = incoming.url ?? "/";
    const url = new URL(rawUrl, "http://ses.local");
    if (incoming.method === "GET" && !url.pathname.startsWith("/v2/")) {
      // The mailbox, for people: no signature, loopback only, like the rest of the stack.
      if (url.pathname === "/") return reply(outgoing, 200, "text/html; charset=utf-8", mailboxPage(emails));
      if (url.pathname === "/emails.json")
        return reply(outgoing, 200, "application/json", JSON.stringify(emails));
      const match = /^\/emails\/([A-Za-z0-9-]{1,80})\.(html|txt)$/.exec(url.pathname);
      const email = match && emails.find((candidate) => candidate.messageId === match[1]);
      if (!match || !email) return reply(outgoing, 404, "text/plain; charset=utf-8", "No such email.\n");
      const [type, text, extra] = messagePage(email, match[2] === "html" ? "html" : "text");
      return reply(outgoing, 200, type, text, extra);
    }
    const body = await readBody(incoming, maxBodyBytes);
    if (!body) return json(outgoing, 400, { message: "Message too large." }, "MessageRejected");
    const verdict = await verifySignature(signedRequestOf(incoming), {
      service: "ses",
      region,
      credentials: options.credentials ?? [localCredentials],
      uriEscapePath: true,
      now: Date.now(),
      bodySha256: sha256Hex(body),
    });
    if (!verdict.ok)
      return json(
        outgoing,
        403,
        { message: verdict.message },
        verdict.code === "SignatureDoesNotMatch" ? "SignatureDoesNotMatch" : "UnrecognizedClientException",
      );
    if (incoming.method !== "POST" || url.pathname !== "/v2/email/outbound-emails")
      return json(
        outgoing,
        404,
        { message: `This local SES has no ${incoming.method} ${url.pathname}.` },
        "NotFoundException",
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return json(outgoing, 400, { message: "The request body is not valid JSON." }, "BadRequestException");
    }
    try {
      json(outgoing, 200, sendEmail(parsed));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      json(outgoing, error.status, { message: error.message }, error.code);
    }
  }

  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch((error: unknown) => {
      console.error("ses:", error);
      if (!outgoing.headersSent) json(outgoing, 500, { message: "Internal error." }, "InternalFailure");
      else outgoing.destroy();
    });
  });
  const standIn = { emails, events, faults: options.faults };
  const running = await listen(server, options, async () => {
    await writing;
  });
  return Object.assign(standIn, { url: running.url, mailboxUrl: `${running.url}/`, close: running.close });
}
