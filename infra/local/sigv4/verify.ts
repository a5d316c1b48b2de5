// Verifies AWS Signature Version 4 on a request reaching a local stand-in (Authorization header or presigned
// query), as S3 does: claim and scope first, then the signature recomputed and compared in constant time.
import type { IncomingMessage } from "node:http";
import {
  canonicalRequest,
  credentialScope,
  hmacHex,
  sameSignature,
  signingKey,
  stringToSign,
} from "./canonical.ts";
import {
  type Claim,
  fail,
  headerClaim,
  malformedHeader,
  malformedQuery,
  queryClaim,
  type SignatureErrorCode,
  type SignatureFailure,
} from "./claim.ts";

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

/** An incoming request as the verifier reads it: the raw path and query, each header's values joined. */
export function signedRequestOf(incoming: IncomingMessage): SignedRequest {
  const rawUrl = incoming.url ?? "/";
  const queryAt = rawUrl.indexOf("?");
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(incoming.headersDistinct))
    if (values) headers[name] = values.join(",");
  return {
    method: incoming.method ?? "GET",
    path: queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt),
    query: queryAt === -1 ? "" : rawUrl.slice(queryAt + 1),
    headers,
  };
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

/** Everything needed to verify the signature chain of an aws-chunked body. */
export interface ChunkSigning {
  signingKey: Uint8Array;
  longDate: string;
  scope: string;
  seedSignature: string;
}

/** What the signature says about the body: how the server must check it as it reads it. */
export type PayloadClaim =
  | { kind: "unsigned" }
  | { kind: "sha256"; hex: string }
  | { kind: "chunked"; signed: false; trailer: true }
  | { kind: "chunked"; signed: true; trailer: boolean; seed: ChunkSigning };

export type { SignatureErrorCode };

export type SignatureVerdict =
  | { ok: true; accessKeyId: string; form: "header" | "query"; payload: PayloadClaim }
  | SignatureFailure;

export const maxClockSkewMilliseconds = 15 * 60 * 1000;
const unsignedPayload = "UNSIGNED-PAYLOAD";
const streamingPayloads = new Set([
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
]);

function payloadHashOf(
  claim: Claim,
  request: SignedRequest,
  query: URLSearchParams,
): string | SignatureFailure {
  if (claim.form === "query") {
    // Presigned URLs cannot know the body; the SDK may still state the hash as a (signed) parameter.
    return query.get("X-Amz-Content-Sha256") ?? request.headers["x-amz-content-sha256"] ?? unsignedPayload;
  }
  const stated = request.headers["x-amz-content-sha256"];
  if (stated === undefined) {
    return fail("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  if (stated === unsignedPayload || streamingPayloads.has(stated) || /^[0-9a-f]{64}$/.test(stated))
    return stated;
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

/** S3 refuses a header claim made too far from its clock, and a presigned URL outside its validity. */
function timeProblem(claim: Claim, now: number): SignatureFailure | undefined {
  if (claim.expiresSeconds === undefined) {
    if (Math.abs(now - claim.time) <= maxClockSkewMilliseconds) return undefined;
    return fail(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      {
        RequestTime: claim.longDate,
        ServerTime: new Date(now).toISOString(),
        MaxAllowedSkewMilliseconds: String(maxClockSkewMilliseconds),
      },
    );
  }
  if (claim.time - now > maxClockSkewMilliseconds) return fail("AccessDenied", "Request is not valid yet");
  const expiresAt = claim.time + claim.expiresSeconds * 1000;
  if (now <= expiresAt) return undefined;
  return fail("AccessDenied", "Request has expired", {
    "X-Amz-Expires": String(claim.expiresSeconds),
    Expires: new Date(expiresAt).toISOString(),
    ServerTime: new Date(now).toISOString(),
  });
}

/** S3 refuses x-amz-* headers the signature does not cover: they change what the request means. */
function unsignedHeadersProblem(claim: Claim, request: SignedRequest): SignatureFailure | undefined {
  const unsigned = Object.keys(request.headers).filter(
    (name) =>
      name.startsWith("x-amz-") &&
      !claim.signedHeaders.has(name) &&
      // A presigned URL's body hash is sent after signing, as a header.
      !(claim.form === "query" && name === "x-amz-content-sha256"),
  );
  if (unsigned.length === 0) return undefined;
  return fail("AccessDenied", "There were headers present in the request which were not signed", {
    HeadersNotSigned: unsigned.join(", "),
  });
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
  const query = new URLSearchParams(request.query);
  const authorization = request.headers.authorization;
  const presigned = query.has("X-Amz-Algorithm") || query.has("X-Amz-Signature");
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
  if (!claim.signedHeaders.has("host")) return malformed("the SignedHeaders must include host.");
  const secret = options.credentials.find((candidate) => candidate.accessKeyId === credential.accessKeyId);
  if (!secret) {
    return fail("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      AWSAccessKeyId: credential.accessKeyId,
    });
  }
  const problem = timeProblem(claim, options.now) ?? unsignedHeadersProblem(claim, request);
  if (problem) return problem;
  const payloadHash = options.bodySha256 ?? payloadHashOf(claim, request, query);
  if (typeof payloadHash !== "string") return payloadHash;

  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    rawQuery: request.query,
    headers: request.headers,
    signedHeaders: claim.signedHeaders,
    payloadHash,
    uriEscapePath: options.uriEscapePath,
  });
  const scope = credentialScope(credential.shortDate, credential.region, credential.service);
  const toSign = stringToSign(claim.longDate, scope, canonical);
  const key = signingKey(secret.secretAccessKey, credential.shortDate, credential.region, credential.service);
  if (!sameSignature(hmacHex(key, toSign), claim.signature)) {
    return fail(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: credential.accessKeyId,
        StringToSign: toSign,
        SignatureProvided: claim.signature,
        CanonicalRequest: canonical,
      },
    );
  }
  return {
    ok: true,
    accessKeyId: credential.accessKeyId,
    form: claim.form,
    payload: payloadClaim(payloadHash, {
      signingKey: key,
      longDate: claim.longDate,
      scope,
      seedSignature: claim.signature,
    }),
  };
}
