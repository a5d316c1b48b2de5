// Verifies AWS Signature Version 4 on requests reaching a local stand-in (Authorization header and presigned
// query forms, aws-chunked payloads), recomputing the canonical request with the SDK's own signer code.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getSigningKey,
  SignatureV4Base,
} from "@smithy/signature-v4";

/** The request as it arrived on the wire. */
export interface SignedRequest {
  method: string;
  /** The path exactly as sent, still percent-encoded. */
  path: string;
  /** The raw query string, without the leading "?". */
  query: string;
  /** Header names in lower case; a header sent more than once joined with ",". */
  headers: Readonly<Record<string, string | undefined>>;
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignatureCheckOptions {
  /** The signing name of the service, e.g. "s3". */
  service: string;
  region: string;
  credentials: readonly SigningCredentials[];
  /** S3 signs the path as sent; every other service signs it normalised and encoded again. */
  uriEscapePath: boolean;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * Services other than S3 hash the body themselves: the payload line of the canonical request is this
   * hash, and x-amz-content-sha256 is an optional signed header, not a claim about the body.
   */
  bodySha256?: string;
}

/** What the signature says about the body: how the server must check it as it reads it. */
export type PayloadClaim =
  | { kind: "unsigned" }
  | { kind: "sha256"; hex: string }
  | { kind: "chunked"; signed: false; trailer: true }
  | { kind: "chunked"; signed: true; trailer: boolean; seed: ChunkSigning };

/** Everything needed to verify the signature chain of an aws-chunked body. */
export interface ChunkSigning {
  signingKey: Uint8Array;
  longDate: string;
  scope: string;
  seedSignature: string;
}

export type SignatureErrorCode =
  | "AccessDenied"
  | "SignatureDoesNotMatch"
  | "InvalidAccessKeyId"
  | "AuthorizationHeaderMalformed"
  | "AuthorizationQueryParametersError"
  | "RequestTimeTooSkewed"
  | "InvalidArgument"
  | "InvalidRequest";

export type SignatureVerdict =
  | { ok: true; accessKeyId: string; form: "header" | "query"; payload: PayloadClaim }
  | {
      ok: false;
      code: SignatureErrorCode;
      message: string;
      /** Extra elements S3 puts in its error document, e.g. StringToSign, HeadersNotSigned. */
      detail?: Record<string, string>;
    };

type SignatureFailure = Extract<SignatureVerdict, { ok: false }>;

export const maxPresignedExpirySeconds = 604_800;
export const maxClockSkewMilliseconds = 15 * 60 * 1000;
const emptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const unsignedPayload = "UNSIGNED-PAYLOAD";
const streamingPayloads: Record<string, PayloadClaim["kind"] | undefined> = {
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": "chunked",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": "chunked",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER": "chunked",
};

type CanonicalInput = Parameters<typeof getCanonicalHeaders>[0];

/** Reaches the SDK signer's canonical request and string-to-sign, which it keeps protected. */
class CanonicalForm extends SignatureV4Base {
  constructor(service: string, region: string, uriEscapePath: boolean) {
    super({
      service,
      region,
      credentials: { accessKeyId: "", secretAccessKey: "" },
      sha256: Sha256,
      uriEscapePath,
    });
  }

  request(input: CanonicalInput, signedHeaders: readonly string[], payloadHash: string): string {
    const canonicalHeaders = getCanonicalHeaders(input, undefined, new Set(signedHeaders));
    return this.createCanonicalRequest(input, canonicalHeaders, payloadHash);
  }

  stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
  }
}

const fail = (
  code: SignatureErrorCode,
  message: string,
  detail?: Record<string, string>,
): SignatureFailure => (detail ? { ok: false, code, message, detail } : { ok: false, code, message });

/** Decodes a query string the way the SDK encoded it ("+" is a space only in form encoding). */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

function single(query: Record<string, string | string[]>, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses an X-Amz-Date / x-amz-date value (basic ISO 8601, UTC). */
export function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const time = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
  return Number.isNaN(time) ? undefined : time;
}

function hmacHex(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Compares two signatures without leaking where they first differ. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(provided, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Credential {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

function parseCredential(value: string): Credential | undefined {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  const [accessKeyId, shortDate, region, service] = parts;
  if (!accessKeyId || !shortDate || !region || !service) return undefined;
  return { accessKeyId, shortDate, region, service };
}

interface Claim {
  form: "header" | "query";
  credential: Credential;
  signedHeaders: string[];
  signature: string;
  longDate: string;
  time: number;
  expiresSeconds?: number;
}

const malformedHeader = (message: string) =>
  fail("AuthorizationHeaderMalformed", `The authorization header is malformed; ${message}`);

function headerClaim(authorization: string, headers: SignedRequest["headers"]): Claim | SignatureFailure {
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    return fail("InvalidArgument", `Unsupported Authorization Type: ${algorithm}`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(",")) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf("=");
    if (equals > 0) fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  const credentialField = fields.get("Credential");
  const signedHeadersField = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credentialField === undefined || signedHeadersField === undefined || signature === undefined) {
    return malformedHeader("it must carry Credential, SignedHeaders and Signature.");
  }
  const credential = parseCredential(credentialField);
  if (!credential)
    return malformedHeader(
      `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  const longDate = headers["x-amz-date"];
  const time = longDate === undefined ? undefined : parseAmzDate(longDate);
  if (longDate === undefined || time === undefined) {
    return fail("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  return {
    form: "header",
    credential,
    signedHeaders: signedHeadersField.split(";"),
    signature,
    longDate,
    time,
  };
}

const malformedQuery = (message: string) => fail("AuthorizationQueryParametersError", message);

function queryClaim(query: Record<string, string | string[]>): Claim | SignatureFailure {
  const algorithm = single(query, "X-Amz-Algorithm");
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    return malformedQuery('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credentialField = single(query, "X-Amz-Credential");
  const longDate = single(query, "X-Amz-Date");
  const expires = single(query, "X-Amz-Expires");
  const signedHeadersField = single(query, "X-Amz-SignedHeaders");
  const signature = single(query, "X-Amz-Signature");
  if (
    credentialField === undefined ||
    longDate === undefined ||
    expires === undefined ||
    signedHeadersField === undefined ||
    signature === undefined
  ) {
    return malformedQuery(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const credential = parseCredential(credentialField);
  if (!credential) {
    return malformedQuery(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  const time = parseAmzDate(longDate);
  if (time === undefined) {
    return malformedQuery("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  if (!/^\d+$/.test(expires)) return malformedQuery("X-Amz-Expires should be a number");
  const expiresSeconds = Number(expires);
  if (expiresSeconds > maxPresignedExpirySeconds) {
    return malformedQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  return {
    form: "query",
    credential,
    signedHeaders: signedHeadersField.split(";"),
    signature,
    longDate,
    time,
    expiresSeconds,
  };
}

function payloadHashOf(
  claim: Claim,
  request: SignedRequest,
  query: Record<string, string | string[]>,
): string | SignatureFailure {
  if (claim.form === "query") {
    // Presigned URLs cannot know the body; the SDK may still state the hash as a (signed) parameter.
    return (
      single(query, "X-Amz-Content-Sha256") ?? request.headers["x-amz-content-sha256"] ?? unsignedPayload
    );
  }
  const stated = request.headers["x-amz-content-sha256"];
  if (stated === undefined) {
    return fail("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  if (stated === unsignedPayload || streamingPayloads[stated] || /^[0-9a-f]{64}$/.test(stated)) return stated;
  return fail(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
  );
}

function payloadClaim(payloadHash: string, seed: ChunkSigning): PayloadClaim {
  if (payloadHash === unsignedPayload) return { kind: "unsigned" };
  if (payloadHash === "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    return { kind: "chunked", signed: false, trailer: true };
  if (payloadHash.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
    return { kind: "chunked", signed: true, trailer: payloadHash.endsWith("-TRAILER"), seed };
  }
  return { kind: "sha256", hex: payloadHash };
}

/**
 * Checks a request's SigV4 signature the way S3 does: the claim is parsed and its scope, key and time checked
 * first, then the signature recomputed over the headers the client said it signed and compared in constant
 * time. The body is not read here; the verdict says how it must be checked while it is read.
 */
export async function verifySignature(
  request: SignedRequest,
  options: SignatureCheckOptions,
): Promise<SignatureVerdict> {
  const query = parseQuery(request.query);
  const authorization = request.headers.authorization;
  const presigned = query["X-Amz-Algorithm"] !== undefined || query["X-Amz-Signature"] !== undefined;
  if (authorization === undefined && !presigned) {
    return fail("AccessDenied", "Access Denied: anonymous requests are not accepted");
  }
  if (authorization !== undefined && presigned) {
    return fail(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    );
  }
  const claim = authorization !== undefined ? headerClaim(authorization, request.headers) : queryClaim(query);
  if ("ok" in claim) return claim;
  const malformed = claim.form === "header" ? malformedHeader : malformedQuery;
  const { credential } = claim;
  if (credential.region !== options.region) {
    return malformed(`the region '${credential.region}' is wrong; expecting '${options.region}'`);
  }
  if (credential.service !== options.service) {
    return malformed(
      `incorrect service "${credential.service}". This endpoint belongs to "${options.service}".`,
    );
  }
  if (credential.shortDate !== claim.longDate.slice(0, 8)) {
    return malformed("Invalid credential date. Date is not the same as X-Amz-Date.");
  }
  if (!claim.signedHeaders.includes("host")) {
    return malformed("the SignedHeaders must include host.");
  }
  const secret = options.credentials.find((candidate) => candidate.accessKeyId === credential.accessKeyId);
  if (!secret) {
    return fail("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      AWSAccessKeyId: credential.accessKeyId,
    });
  }

  if (claim.expiresSeconds === undefined) {
    if (Math.abs(options.now - claim.time) > maxClockSkewMilliseconds) {
      return fail(
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
        {
          RequestTime: claim.longDate,
          ServerTime: new Date(options.now).toISOString(),
          MaxAllowedSkewMilliseconds: String(maxClockSkewMilliseconds),
        },
      );
    }
  } else {
    if (claim.time - options.now > maxClockSkewMilliseconds) {
      return fail("AccessDenied", "Request is not valid yet");
    }
    const expiresAt = claim.time + claim.expiresSeconds * 1000;
    if (options.now > expiresAt) {
      return fail("AccessDenied", "Request has expired", {
        "X-Amz-Expires": String(claim.expiresSeconds),
        Expires: new Date(expiresAt).toISOString(),
        ServerTime: new Date(options.now).toISOString(),
      });
    }
  }

  // S3 refuses x-amz-* headers the signature does not cover: they change what the request means.
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith("x-amz-") && !claim.signedHeaders.includes(name),
  );
  if (claim.form === "header" && unsigned.length > 0) {
    return fail("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: unsigned.join(", "),
    });
  }
  if (claim.form === "query" && unsigned.some((name) => name !== "x-amz-content-sha256")) {
    return fail("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: unsigned.join(", "),
    });
  }

  const payloadHash = options.bodySha256 ?? payloadHashOf(claim, request, query);
  if (typeof payloadHash !== "string") return payloadHash;

  const signedHeaderValues: Record<string, string> = {};
  for (const name of claim.signedHeaders) signedHeaderValues[name] = request.headers[name] ?? "";
  const canonicalInput: CanonicalInput = {
    method: request.method,
    protocol: "http:",
    hostname: "",
    path: request.path,
    query,
    headers: signedHeaderValues,
  };
  const form = new CanonicalForm(options.service, options.region, options.uriEscapePath);
  const canonicalRequest = form.request(canonicalInput, claim.signedHeaders, payloadHash);
  const scope = createScope(credential.shortDate, credential.region, credential.service);
  const stringToSign = await form.stringToSign(claim.longDate, scope, canonicalRequest);
  const signingKey = await getSigningKey(
    Sha256,
    secret,
    credential.shortDate,
    credential.region,
    credential.service,
  );
  const expected = hmacHex(signingKey, stringToSign);
  if (!sameSignature(expected, claim.signature)) {
    return fail(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: credential.accessKeyId,
        StringToSign: stringToSign,
        SignatureProvided: claim.signature,
        CanonicalRequest: canonicalRequest,
      },
    );
  }
  return {
    ok: true,
    accessKeyId: credential.accessKeyId,
    form: claim.form,
    payload: payloadClaim(payloadHash, {
      signingKey,
      longDate: claim.longDate,
      scope,
      seedSignature: claim.signature,
    }),
  };
}

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
