// Request bodies as the handlers read them: aws-chunked framing removed and digests taken as the bytes stream
// past; small XML bodies read into memory under the shared budget; unused bodies drained, never buffered.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import { AwsChunkedDecoder, AwsChunkedError } from "../aws-signature.ts";
import { type S3Error, s3Error } from "./errors.ts";
import { BodyDigestTap, type BodyPromises, brokenPromise } from "./integrity.ts";
import type { S3Context, S3Request } from "./request.ts";

/** The largest XML request body S3 takes (a CompleteMultipartUpload of 10,000 parts fits). */
export const maxSmallBodyBytes = 2 * 1024 * 1024;

/** Lets the client finish sending a body the stand-in will not use, so it reads the answer instead of a reset. */
export function drain(incoming: IncomingMessage): Promise<void> {
  if (incoming.readableEnded || incoming.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    incoming
      .on("end", resolve)
      .on("close", resolve)
      .on("error", () => resolve());
    // A failed upload may still be piped into a decoder that stopped reading; detach it or the flow stalls.
    incoming.unpipe();
    incoming.resume();
  });
}

export interface DecodedBody {
  stream: Readable;
  /** The first promise the body broke, once it has ended and the store computed its MD5. */
  verdict: (md5: Buffer) => S3Error | undefined;
}

/** The request body as the object's bytes: aws-chunked framing removed, digests taken on the way. */
export function decodedBody(request: S3Request, promises: BodyPromises): DecodedBody {
  const { incoming } = request;
  const source = incoming.pipe(new PassThrough());
  // pipe() does not pass on a client that went away mid-body; without this the store would wait forever.
  incoming.once("error", (error) => source.destroy(error));
  incoming.once("close", () => {
    if (!incoming.complete)
      source.destroy(new Error("The client closed the connection before the body ended."));
  });
  const tap = new BodyDigestTap(promises);
  const decoder =
    request.payload.kind === "chunked"
      ? new AwsChunkedDecoder(
          request.payload.signed
            ? { signing: request.payload.seed, signedTrailer: request.payload.trailer }
            : {},
        )
      : undefined;
  const stream = decoder ? source.pipe(decoder).pipe(tap) : source.pipe(tap);
  // Forward the decoder's or the source's failure to the stream the store reads.
  for (const stage of decoder ? [source, decoder] : [source])
    stage.on("error", (error) => tap.destroy(error));
  return {
    stream,
    verdict: (md5: Buffer) =>
      brokenPromise(promises, { md5, digests: tap.digests(), trailers: decoder?.trailers ?? new Map() }),
  };
}

/** S3's answer to a body that failed on its way in: a broken aws-chunked frame, or one cut short. */
export function bodyFailure(error: unknown, incoming: IncomingMessage): S3Error | undefined {
  if (error instanceof AwsChunkedError) return s3Error(error.code, error.message);
  if (!incoming.complete) return s3Error("IncompleteBody", "The request body ended early.");
  return undefined;
}

/**
 * Reads a small XML request body (DeleteObjects, CompleteMultipartUpload, a policy) with the same integrity
 * checks as objects, holding at most `limit` bytes, reserved from the shared budget before the first byte.
 */
export async function readSmallBody(
  context: S3Context,
  request: S3Request,
  promises: BodyPromises,
  limit = maxSmallBodyBytes,
  tooLarge: S3Error = s3Error("MalformedXML", "The XML you provided was too large."),
): Promise<Buffer | S3Error> {
  const declared = Number(
    request.headers["x-amz-decoded-content-length"] ?? request.headers["content-length"],
  );
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const release = context.budget.reserve(Number.isFinite(declared) ? declared : limit);
  if (!release) return s3Error("SlowDown", "Please reduce your request rate.");
  try {
    const body = decodedBody(request, promises);
    const chunks: Buffer[] = [];
    let size = 0;
    const md5 = createHash("md5");
    try {
      for await (const chunk of body.stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit || (Number.isFinite(declared) && size > declared)) return tooLarge;
        md5.update(chunk);
        chunks.push(chunk);
      }
    } catch (error) {
      return (
        bodyFailure(error, request.incoming) ?? s3Error("IncompleteBody", "The request body ended early.")
      );
    }
    return body.verdict(md5.digest()) ?? Buffer.concat(chunks);
  } finally {
    release();
  }
}
