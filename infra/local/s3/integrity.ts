// What a request promises about its body (Content-MD5, x-amz-content-sha256, x-amz-checksum-*) and whether the
// bytes that arrived keep those promises, checked as the body streams past.
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { crc32 } from "node:zlib";
import type { PayloadClaim } from "../aws-signature.ts";
import { type S3Error, s3Error } from "./errors.ts";

/** Checksums S3 accepts; the stand-in verifies those Node computes and stores the others unverified. */
const checksumAlgorithms = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;
type ChecksumAlgorithm = (typeof checksumAlgorithms)[number];
const verifiable = new Set<ChecksumAlgorithm>(["crc32", "sha1", "sha256"]);
const checksumBytes: Record<ChecksumAlgorithm, number> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

export interface BodyPromises {
  contentMd5: Buffer | undefined;
  payloadSha256: string | undefined;
  /** Checksums stated up front in headers. */
  checksums: Map<ChecksumAlgorithm, string>;
  /** The checksum the aws-chunked trailer will carry (x-amz-trailer). */
  trailerChecksum: ChecksumAlgorithm | undefined;
}

function isBase64Of(value: string, bytes: number): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === bytes;
}

/**
 * Reads the body promises from the request headers. Checksums in a presigned URL's query are left out on
 * purpose: S3 ignores them, and the JavaScript SDK presigns PutObject with the CRC32 of an empty body.
 */
export function readBodyPromises(
  headers: Readonly<Record<string, string | undefined>>,
  payload: PayloadClaim,
): BodyPromises | S3Error {
  let contentMd5: Buffer | undefined;
  const md5Header = headers["content-md5"];
  if (md5Header !== undefined) {
    if (!isBase64Of(md5Header, 16))
      return s3Error("InvalidDigest", "The Content-MD5 you specified was invalid.");
    contentMd5 = Buffer.from(md5Header, "base64");
  }
  const checksums = new Map<ChecksumAlgorithm, string>();
  for (const algorithm of checksumAlgorithms) {
    const value = headers[`x-amz-checksum-${algorithm}`];
    if (value === undefined) continue;
    if (!isBase64Of(value, checksumBytes[algorithm])) {
      return s3Error("InvalidRequest", `Value for x-amz-checksum-${algorithm} header is invalid.`);
    }
    checksums.set(algorithm, value);
  }
  let trailerChecksum: ChecksumAlgorithm | undefined;
  const trailer = headers["x-amz-trailer"]?.trim().toLowerCase();
  if (trailer !== undefined) {
    trailerChecksum = checksumAlgorithms.find((algorithm) => trailer === `x-amz-checksum-${algorithm}`);
    if (trailerChecksum === undefined) {
      return s3Error(
        "InvalidRequest",
        `The value specified in the x-amz-trailer header is not supported: ${trailer}`,
      );
    }
  }
  return {
    contentMd5,
    payloadSha256: payload.kind === "sha256" ? payload.hex : undefined,
    checksums,
    trailerChecksum,
  };
}

/** Hashes the body on its way to disk with whatever the promises need beyond the MD5 the store keeps. */
export class BodyDigestTap extends Transform {
  private readonly sha256: Hash | undefined;
  private readonly sha1: Hash | undefined;
  private crc32: number | undefined;

  constructor(promises: BodyPromises) {
    super();
    const wanted = new Set<ChecksumAlgorithm>(promises.checksums.keys());
    if (promises.trailerChecksum) wanted.add(promises.trailerChecksum);
    this.sha256 = wanted.has("sha256") || promises.payloadSha256 ? createHash("sha256") : undefined;
    this.sha1 = wanted.has("sha1") ? createHash("sha1") : undefined;
    this.crc32 = wanted.has("crc32") ? 0 : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha256?.update(chunk);
    this.sha1?.update(chunk);
    if (this.crc32 !== undefined) this.crc32 = crc32(chunk, this.crc32);
    callback(null, chunk);
  }

  /** The digests, once the body has ended; call once. */
  digests(): Partial<Record<ChecksumAlgorithm, Buffer>> {
    const crc = this.crc32 === undefined ? undefined : Buffer.alloc(4);
    if (crc && this.crc32 !== undefined) crc.writeUInt32BE(this.crc32 >>> 0);
    return { sha256: this.sha256?.digest(), sha1: this.sha1?.digest(), crc32: crc };
  }
}

const checksumNames: Record<ChecksumAlgorithm, string> = {
  crc32: "CRC32",
  crc32c: "CRC32C",
  crc64nvme: "CRC64NVME",
  sha1: "SHA1",
  sha256: "SHA256",
};

/** The first broken promise, in the order S3 checks them, or undefined when the body kept them all. */
export function brokenPromise(
  promises: BodyPromises,
  received: {
    md5: Buffer;
    digests: Partial<Record<ChecksumAlgorithm, Buffer>>;
    trailers: ReadonlyMap<string, string>;
  },
): S3Error | undefined {
  if (promises.payloadSha256 !== undefined) {
    const computed = received.digests.sha256?.toString("hex");
    if (computed !== promises.payloadSha256) {
      return s3Error(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        {
          ClientComputedContentSHA256: promises.payloadSha256,
          S3ComputedContentSHA256: computed ?? "",
        },
      );
    }
  }
  if (promises.contentMd5 && !promises.contentMd5.equals(received.md5)) {
    return s3Error("BadDigest", "The Content-MD5 you specified did not match what we received.", {
      ExpectedDigest: promises.contentMd5.toString("hex"),
      CalculatedDigest: received.md5.toString("base64"),
    });
  }
  const stated = new Map(promises.checksums);
  if (promises.trailerChecksum) {
    const value = received.trailers.get(`x-amz-checksum-${promises.trailerChecksum}`);
    if (value === undefined || !isBase64Of(value, checksumBytes[promises.trailerChecksum])) {
      return s3Error(
        "InvalidRequest",
        `The x-amz-checksum-${promises.trailerChecksum} trailer is missing or invalid.`,
      );
    }
    stated.set(promises.trailerChecksum, value);
  }
  for (const [algorithm, value] of stated) {
    if (!verifiable.has(algorithm)) continue;
    const computed = received.digests[algorithm];
    if (!computed || computed.toString("base64") !== value) {
      return s3Error(
        "BadDigest",
        `The ${checksumNames[algorithm]} you specified did not match the calculated checksum.`,
      );
    }
  }
  return undefined;
}
