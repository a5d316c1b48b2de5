// What every S3 handler receives and returns: the decoded request with its caller's access, and the reply.
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { PayloadClaim } from "../aws-signature.ts";
import type { Access } from "./access.ts";
import type { BufferBudget } from "./buffer-budget.ts";
import type { S3Error } from "./errors.ts";
import type { MultipartUploads } from "./multipart-store.ts";
import type { ObjectStore } from "./object-store.ts";

export interface S3Request {
  incoming: IncomingMessage;
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  /** Lower-case names; a header sent more than once joined with ",". */
  headers: Record<string, string | undefined>;
  /** How the signature says the body must be checked; "unsigned" for a form POST, signed inside. */
  payload: PayloadClaim;
  /** The caller's rights; undefined only for a form POST, whose policy names the signer. */
  access: Access | undefined;
}

/** What the handlers share: the stores, the clock and the in-memory budget. */
export interface S3Context {
  store: ObjectStore;
  uploads: MultipartUploads;
  budget: BufferBudget;
  now: () => number;
  /** The identity of a form POST's signer, by access key id. */
  accessFor: (accessKeyId: string) => Access | undefined;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Readable;
}

export const ownerId = "000000000000goodgreetslocal";

export const xmlReply = (body: string, status = 200): Reply => ({
  status,
  headers: { "content-type": "application/xml" },
  body,
});

export function isS3Error(value: unknown): value is S3Error {
  return (
    typeof value === "object" &&
    value !== null &&
    "code" in value &&
    "message" in value &&
    !("status" in value)
  );
}

export function headersOf(incoming: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(incoming.headersDistinct)) {
    if (values) headers[name] = values.join(",");
  }
  return headers;
}
