// aws-chunked request bodies: the framing decoded as it streams, each chunk's signature and the trailer's checked.
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { hmacHex, sameSignature, sha256Hex } from "./canonical.ts";
import type { ChunkSigning } from "./verify.ts";

const emptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The signature S3 expects on one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body. */
export function chunkSignature(
  signing: ChunkSigning,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  const stringToSign = [
    "AWS4-HMAC-SHA256-PAYLOAD",
    signing.longDate,
    signing.scope,
    previousSignature,
    emptySha256,
    chunkSha256Hex,
  ].join("\n");
  return hmacHex(signing.signingKey, stringToSign);
}

/** The signature S3 expects over the trailing headers of a STREAMING-…-TRAILER body. */
export function trailerSignature(
  signing: ChunkSigning,
  previousSignature: string,
  trailers: readonly (readonly [string, string])[],
): string {
  const canonicalTrailers = trailers.map(([name, value]) => `${name}:${value}\n`).join("");
  const stringToSign = [
    "AWS4-HMAC-SHA256-TRAILER",
    signing.longDate,
    signing.scope,
    previousSignature,
    sha256Hex(canonicalTrailers),
  ].join("\n");
  return hmacHex(signing.signingKey, stringToSign);
}

export type AwsChunkedErrorCode = "SignatureDoesNotMatch" | "IncompleteBody" | "InvalidRequest";

export class AwsChunkedError extends Error {
  readonly code: AwsChunkedErrorCode;
  constructor(code: AwsChunkedErrorCode, message: string) {
    super(message);
    this.name = "AwsChunkedError";
    this.code = code;
  }
}

const maxFramingLine = 4096;
const crlf = Buffer.from("\r\n");

/**
 * Turns an aws-chunked body back into the object's bytes as it streams, checking each chunk's signature when
 * the body is signed, and collects the trailing headers (checksums) into `trailers`.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private readonly signing: ChunkSigning | undefined;
  private readonly signedTrailer: boolean;
  private state: "size" | "data" | "data-end" | "trailers" | "done" = "size";
  private line = Buffer.alloc(0);
  private remaining = 0;
  private chunkHash = createHash("sha256");
  private chunkClaimedSignature = "";
  private previousSignature: string;
  private readonly trailerLines: [string, string][] = [];
  private trailerClaimedSignature: string | undefined;

  /** `signing` when the chunks carry signatures; `signedTrailer` when the trailer carries one too. */
  constructor(options: { signing?: ChunkSigning; signedTrailer?: boolean } = {}) {
    super();
    this.signing = options.signing;
    this.signedTrailer = options.signedTrailer ?? false;
    this.previousSignature = options.signing?.seedSignature ?? "";
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== "done") {
      callback(new AwsChunkedError("IncompleteBody", "The aws-chunked body ended before its final chunk."));
      return;
    }
    callback();
  }

  private consume(input: Buffer): void {
    let offset = 0;
    while (offset < input.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.length - offset);
        const piece = input.subarray(offset, offset + take);
        if (this.signing) this.chunkHash.update(piece);
        this.push(piece);
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.state = "data-end";
        continue;
      }
      if (this.state === "done") {
        throw new AwsChunkedError(
          "InvalidRequest",
          "Unexpected bytes after the end of the aws-chunked body.",
        );
      }
      // Every other state reads CRLF-terminated lines, which may arrive split across packets.
      if (this.line.at(-1) === 0x0d && input[offset] === 0x0a) {
        const text = this.line.subarray(0, -1).toString("latin1");
        this.line = Buffer.alloc(0);
        offset += 1;
        this.onLine(text);
        continue;
      }
      const end = input.indexOf(crlf, offset);
      const available = end < 0 ? input.subarray(offset) : input.subarray(offset, end);
      this.line = Buffer.concat([this.line, available]);
      if (this.line.length > maxFramingLine) {
        throw new AwsChunkedError("InvalidRequest", "An aws-chunked framing line is too long.");
      }
      // Without a CRLF yet, keep the partial line (perhaps ending in its "\r") for the next packet.
      if (end < 0) return;
      offset = end + 2;
      const text = this.line.toString("latin1");
      this.line = Buffer.alloc(0);
      this.onLine(text);
    }
  }

  private onLine(text: string): void {
    if (this.state === "data-end") {
      if (text !== "") throw new AwsChunkedError("InvalidRequest", "A chunk is longer than its stated size.");
      this.finishChunk();
      this.state = "size";
      return;
    }
    if (this.state === "size") {
      const [sizeText = "", ...extensions] = text.split(";");
      if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) {
        throw new AwsChunkedError("InvalidRequest", `Invalid aws-chunked size line: ${JSON.stringify(text)}`);
      }
      const signature = extensions.find((part) => part.startsWith("chunk-signature="));
      this.chunkClaimedSignature = signature?.slice("chunk-signature=".length) ?? "";
      if (this.signing && !signature) {
        throw new AwsChunkedError(
          "SignatureDoesNotMatch",
          "A chunk of a signed aws-chunked body has no signature.",
        );
      }
      this.remaining = Number.parseInt(sizeText, 16);
      this.chunkHash = createHash("sha256");
      if (this.remaining === 0) {
        this.finishChunk();
        this.state = "trailers";
      } else {
        this.state = "data";
      }
      return;
    }
    if (this.state === "trailers") {
      if (text === "") {
        this.finishTrailers();
        this.state = "done";
        return;
      }
      const colon = text.indexOf(":");
      if (colon <= 0)
        throw new AwsChunkedError("InvalidRequest", "Invalid trailing header in aws-chunked body.");
      const name = text.slice(0, colon).trim().toLowerCase();
      const value = text.slice(colon + 1).trim();
      if (name === "x-amz-trailer-signature") this.trailerClaimedSignature = value;
      else {
        this.trailerLines.push([name, value]);
        this.trailers.set(name, value);
      }
    }
  }

  private finishChunk(): void {
    if (!this.signing) return;
    const expected = chunkSignature(this.signing, this.previousSignature, this.chunkHash.digest("hex"));
    if (!sameSignature(expected, this.chunkClaimedSignature)) {
      throw new AwsChunkedError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided for a chunk.",
      );
    }
    this.previousSignature = expected;
  }

  private finishTrailers(): void {
    if (!this.signing || !this.signedTrailer) return;
    const expected = trailerSignature(this.signing, this.previousSignature, this.trailerLines);
    if (
      this.trailerClaimedSignature === undefined ||
      !sameSignature(expected, this.trailerClaimedSignature)
    ) {
      throw new AwsChunkedError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided for the trailer.",
      );
    }
  }
}
