// Writes a handler's reply, or an S3 error document, with the headers every S3 answer carries.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { drain } from "./body.ts";
import { type S3Error, statusOf } from "./errors.ts";
import { isS3Error, type Reply } from "./request.ts";
import { errorDocument } from "./xml.ts";

export async function send(
  incoming: IncomingMessage,
  response: ServerResponse,
  reply: Reply | S3Error,
  requestId: string,
): Promise<void> {
  const common = {
    "x-amz-request-id": requestId,
    "x-amz-id-2": randomBytes(24).toString("base64"),
    server: "AmazonS3",
  };
  await drain(incoming);
  if (isS3Error(reply)) {
    // HEAD answers carry no body, so the SDK only sees the status (NotFound, Forbidden…).
    const body =
      incoming.method === "HEAD"
        ? ""
        : errorDocument({
            code: reply.code,
            message: reply.message,
            requestId,
            detail: reply.detail,
          });
    response.writeHead(statusOf(reply.code), {
      ...common,
      ...reply.headers,
      "content-type": "application/xml",
      "content-length": String(Buffer.byteLength(body)),
    });
    response.end(body);
    return;
  }
  const headers: Record<string, string> = { ...common, ...reply.headers };
  if (reply.body === undefined || typeof reply.body === "string") {
    const body = reply.body ?? "";
    // 204 and 304 answers have no content, and a length would describe the object instead.
    if (headers["content-length"] === undefined && reply.status !== 204 && reply.status !== 304) {
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    response.writeHead(reply.status, headers);
    response.end(incoming.method === "HEAD" ? undefined : body);
    return;
  }
  response.writeHead(reply.status, headers);
  await pipeline(reply.body, response);
}
