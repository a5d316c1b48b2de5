// The S3 stand-in: a loopback HTTP server speaking S3's REST API (path-style, or virtual-hosted by Host) for
// the real SDKs, the AWS CLI and browsers' form uploads. Every request is signed; bucket policies decide what
// each identity may do; objects live on disk through the object store.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifySignature } from "../aws-signature.ts";
import { localRegion } from "../config.ts";
import { listen, type RunningService } from "../service.ts";
import { Access, identityOf, knownIdentities } from "./access.ts";
import { addressOf } from "./addressing.ts";
import { isValidBucketName } from "./bucket.ts";
import { BufferBudget } from "./buffer-budget.ts";
import { actualRequestHeaders, preflight } from "./cors.ts";
import { accessDenied, noSuchBucket, type S3Error, s3Error } from "./errors.ts";
import { MultipartUploads } from "./multipart-store.ts";
import { ObjectStore } from "./object-store.ts";
import { headersOf, isS3Error, type Reply, type S3Context, type S3Request } from "./request.ts";
import { operationOf } from "./routing.ts";
import { send } from "./send.ts";

export interface S3StandInOptions {
  /** Where buckets and objects are kept; undefined means a temporary folder removed on close. */
  dataDir?: string;
  /** 0 or undefined: any free port. */
  port?: number;
  host?: string;
  /** Buckets to create at start when they do not exist yet. */
  buckets?: string[];
  /** The clock signatures are checked against, in milliseconds; defaults to Date.now. */
  now?: () => number;
  /** Request bytes held in memory at once across all requests (XML bodies, form fields); default 64 MiB. */
  bufferBytes?: number;
}

async function answer(
  context: S3Context,
  incoming: IncomingMessage,
  path: string,
  rawQuery: string,
): Promise<Reply | S3Error> {
  const headers = headersOf(incoming);
  const method = incoming.method ?? "GET";
  const address = addressOf(headers.host, path);
  const request: S3Request = {
    incoming,
    method,
    bucket: address?.bucket,
    key: address?.key,
    query: new URLSearchParams(rawQuery),
    headers,
    payload: { kind: "unsigned" },
    access: undefined,
  };
  // A browser's preflight carries no signature: the bucket's CORS rules alone answer it.
  if (method === "OPTIONS" && request.bucket !== undefined) {
    if (!context.store.hasBucket(request.bucket)) return noSuchBucket(request.bucket);
    return preflight(
      context.store.corsOf(request.bucket),
      headers,
      request.key === undefined ? "BUCKET" : "OBJECT",
    );
  }
  const reply = await operate(context, request, address !== undefined, path, rawQuery);
  if (request.bucket === undefined) return reply;
  const cors = actualRequestHeaders(context.store.corsOf(request.bucket), headers.origin, method);
  if (Object.keys(cors).length === 0) return reply;
  return { ...reply, headers: { ...reply.headers, ...cors } };
}

/** The request's operation, once its signature and the caller's rights allow it. */
async function operate(
  context: S3Context,
  request: S3Request,
  addressed: boolean,
  path: string,
  rawQuery: string,
): Promise<Reply | S3Error> {
  const { method, headers } = request;
  const operation = addressed
    ? operationOf(request)
    : s3Error("InvalidURI", "Couldn't parse the specified URI.");
  // A form POST is signed inside the form; everything else must carry a valid SigV4 signature first.
  if (isS3Error(operation) || !operation.signedByForm) {
    const verdict = await verifySignature(
      { method, path, query: rawQuery, headers },
      {
        service: "s3",
        region: localRegion,
        credentials: knownIdentities.map((identity) => identity.credentials),
        uriEscapePath: false,
        now: context.now(),
      },
    );
    if (!verdict.ok) return s3Error(verdict.code, verdict.message, verdict.detail);
    request.payload = verdict.payload;
    request.access = context.accessFor(verdict.accessKeyId);
  }
  const creating = !isS3Error(operation) && operation.action === "s3:CreateBucket";
  if (request.bucket !== undefined && !creating && !context.store.hasBucket(request.bucket)) {
    return noSuchBucket(request.bucket);
  }
  if (isS3Error(operation)) return operation;
  if (
    operation.action !== undefined &&
    !request.access?.allows(operation.action, operation.bucket, operation.key)
  ) {
    return accessDenied();
  }
  return operation.run(context, request);
}

function handle(context: S3Context, incoming: IncomingMessage, response: ServerResponse): void {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const rawUrl = incoming.url ?? "/";
  const questionMark = rawUrl.indexOf("?");
  const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? "" : rawUrl.slice(questionMark + 1);
  answer(context, incoming, path, rawQuery)
    .catch((error: unknown): S3Error => {
      console.error(`S3 stand-in: ${incoming.method} ${path} failed (request ${requestId})`, error);
      return s3Error("InternalError", "We encountered an internal error. Please try again.");
    })
    .then((reply: Reply | S3Error) => send(incoming, response, reply, requestId))
    .catch(() => {
      // The client went away mid-answer; nothing is left to tell it.
      response.destroy();
    });
}

export async function startS3StandIn(options: S3StandInOptions = {}): Promise<RunningService> {
  const temporary =
    options.dataDir === undefined ? await mkdtemp(join(tmpdir(), "goodgreets-s3-")) : undefined;
  const dataDir = options.dataDir ?? temporary ?? "";
  const now = options.now ?? Date.now;
  const store = await ObjectStore.open(dataDir);
  for (const bucket of options.buckets ?? []) {
    if (!isValidBucketName(bucket)) throw new Error(`${bucket} is not a valid S3 bucket name`);
    await store.createBucket(bucket, now());
  }
  const context: S3Context = {
    store,
    uploads: await MultipartUploads.open(dataDir),
    budget: new BufferBudget(options.bufferBytes ?? 64 * 1024 * 1024),
    now,
    accessFor(accessKeyId) {
      const identity = identityOf(accessKeyId);
      return identity && new Access(identity, (bucket) => store.policyOf(bucket)?.parsed);
    },
  };
  const server = createServer((incoming, response) => handle(context, incoming, response));
  return listen(server, options, async () => {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  });
}
