// The S3 stand-in: a loopback HTTP server speaking S3's REST API, path-style, for the real S3Client and presigned
// URLs. Every request must be SigV4-signed; objects live on disk through the object store.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  AwsChunkedDecoder,
  AwsChunkedError,
  type PayloadClaim,
  type SignedRequest,
  verifySignature,
} from "../aws-signature.ts";
import { localCredentials, localRegion } from "../config.ts";
import type { RunningService } from "../service.ts";
import { noSuchBucket, noSuchKey, notImplemented, type S3Error, s3Error, statusOf } from "./errors.ts";
import { BodyDigestTap, type BodyPromises, brokenPromise, readBodyPromises } from "./integrity.ts";
import { listPage } from "./listing.ts";
import {
  isValidBucketName,
  type ObjectAttributes,
  ObjectStore,
  type PutOutcome,
  type StoredObject,
} from "./object-store.ts";
import { evaluatePreconditions, resolveRange } from "./preconditions.ts";
import {
  copyObjectResultDocument,
  deleteResultDocument,
  errorDocument,
  type ListedObject,
  listBucketsDocument,
  listObjectsV2Document,
  locationDocument,
  parseDeleteRequest,
  parseLocationConstraint,
} from "./xml.ts";

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
}

const maxObjectBytes = 5 * 1024 ** 3;
const maxSmallBodyBytes = 2 * 1024 * 1024;
const maxMetadataBytes = 2048;
const maxKeyBytes = 1024;
const ownerId = "000000000000goodgreetslocal";
// Sub-resources of S3 the stand-in does not offer; asking for one must fail loudly, not act like a plain GET.
const unsupportedSubresources = [
  "acl",
  "analytics",
  "attributes",
  "cors",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "partNumber",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versioning",
  "versions",
  "website",
];
const responseOverrides: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** One request as the handlers see it: decoded names, joined headers, the signature's verdict on the body. */
interface S3Request {
  incoming: IncomingMessage;
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  payload: PayloadClaim;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Readable;
}

const xmlReply = (body: string, status = 200): Reply => ({
  status,
  headers: { "content-type": "application/xml" },
  body,
});

function headersOf(incoming: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(incoming.headersDistinct)) {
    if (values) headers[name] = values.join(",");
  }
  return headers;
}

/** Splits a path-style path into bucket and key; undefined when it does not decode. */
function parsePath(path: string): { bucket: string | undefined; key: string | undefined } | undefined {
  try {
    const rest = path.slice(1);
    const slash = rest.indexOf("/");
    const bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    const key = slash < 0 ? "" : decodeURIComponent(rest.slice(slash + 1));
    return { bucket: bucket === "" ? undefined : bucket, key: key === "" ? undefined : key };
  } catch {
    return undefined;
  }
}

/** Lets the client finish sending a body the stand-in will not use, so it reads the answer instead of a reset. */
function drain(incoming: IncomingMessage): Promise<void> {
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

/** The request body as the object's bytes: aws-chunked framing removed, digests taken on the way. */
function decodedBody(request: S3Request, promises: BodyPromises) {
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

function chunkedFailure(error: unknown): S3Error | undefined {
  if (error instanceof AwsChunkedError) return s3Error(error.code, error.message);
  return undefined;
}

/** Reads a small XML request body (DeleteObjects, CreateBucket) with the same integrity checks as objects. */
async function readSmallBody(request: S3Request, promises: BodyPromises): Promise<Buffer | S3Error> {
  const body = decodedBody(request, promises);
  const chunks: Buffer[] = [];
  let size = 0;
  const md5 = createHash("md5");
  try {
    for await (const chunk of body.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxSmallBodyBytes) return s3Error("MalformedXML", "The XML you provided was too large.");
      md5.update(chunk);
      chunks.push(chunk);
    }
  } catch (error) {
    return chunkedFailure(error) ?? s3Error("IncompleteBody", "The request body ended early.");
  }
  return body.verdict(md5.digest()) ?? Buffer.concat(chunks);
}

function attributesFrom(headers: Record<string, string | undefined>): ObjectAttributes | S3Error {
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-amz-meta-") || value === undefined) continue;
    const short = name.slice("x-amz-meta-".length);
    metadata[short] = value;
    metadataBytes += Buffer.byteLength(short) + Buffer.byteLength(value);
  }
  if (metadataBytes > maxMetadataBytes) {
    return s3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      Size: String(metadataBytes),
      MaxSizeAllowed: String(maxMetadataBytes),
    });
  }
  // aws-chunked describes the transfer, not the object: S3 drops it from the stored Content-Encoding.
  const contentEncoding = headers["content-encoding"]
    ?.split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "aws-chunked")
    .join(",");
  const optional = {
    cacheControl: headers["cache-control"],
    contentDisposition: headers["content-disposition"],
    contentEncoding: contentEncoding || undefined,
    contentLanguage: headers["content-language"],
    expires: headers.expires,
  };
  const attributes: ObjectAttributes = {
    contentType: headers["content-type"] ?? "binary/octet-stream",
    metadata,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(attributes, { [name]: value });
  }
  return attributes;
}

/** The attributes an object was stored with, which CopyObject keeps unless told to replace them. */
function attributesOf(object: StoredObject): ObjectAttributes {
  const { key, size, etag, lastModified, bodyFile, ...attributes } = object;
  return attributes;
}

function objectHeaders(object: StoredObject, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    "last-modified": new Date(object.lastModified).toUTCString(),
    etag: object.etag,
    "content-type": object.contentType,
    "accept-ranges": "bytes",
  };
  if (object.cacheControl !== undefined) headers["cache-control"] = object.cacheControl;
  if (object.contentDisposition !== undefined) headers["content-disposition"] = object.contentDisposition;
  if (object.contentEncoding !== undefined) headers["content-encoding"] = object.contentEncoding;
  if (object.contentLanguage !== undefined) headers["content-language"] = object.contentLanguage;
  if (object.expires !== undefined) headers.expires = object.expires;
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  for (const [parameter, header] of Object.entries(responseOverrides)) {
    const value = query.get(parameter);
    if (value !== null) headers[header] = value;
  }
  return headers;
}

function isS3Error(value: unknown): value is S3Error {
  return (
    typeof value === "object" &&
    value !== null &&
    "code" in value &&
    "message" in value &&
    !("status" in value)
  );
}

class S3Handlers {
  private readonly store: ObjectStore;
  private readonly now: () => number;

  constructor(store: ObjectStore, now: () => number) {
    this.store = store;
    this.now = now;
  }

  async route(request: S3Request): Promise<Reply | S3Error> {
    const { method, bucket, key, query } = request;
    const unsupported = unsupportedSubresources.find((name) => query.has(name));
    if (unsupported) return notImplemented(unsupported);
    if (bucket === undefined) {
      if (method === "GET") return this.listBuckets();
      return s3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (key === undefined) {
      if (method === "PUT") return this.createBucket(request, bucket);
      if (method === "HEAD") return this.headBucket(bucket);
      if (method === "DELETE") return this.deleteBucket(bucket);
      if (method === "POST" && query.has("delete")) return this.deleteObjects(request, bucket);
      if (method === "GET" && query.has("location")) return this.bucketLocation(bucket);
      if (method === "GET" && query.get("list-type") === "2") return this.listObjectsV2(bucket, query);
      if (method === "GET") return notImplemented("ListObjects (version 1); use ListObjectsV2");
      return s3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (Buffer.byteLength(key) > maxKeyBytes) {
      return s3Error("KeyTooLongError", "Your key is too long", { Size: String(Buffer.byteLength(key)) });
    }
    if (method === "PUT" && request.headers["x-amz-copy-source"] !== undefined) {
      return this.copyObject(request, bucket, key);
    }
    if (method === "PUT") return this.putObject(request, bucket, key);
    if (method === "GET" || method === "HEAD") return this.getObject(request, bucket, key);
    if (method === "DELETE") return this.deleteObject(bucket, key);
    return s3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  private listBuckets(): Reply {
    return xmlReply(listBucketsDocument(this.store.listBuckets(), ownerId, localRegion));
  }

  private async createBucket(request: S3Request, bucket: string): Promise<Reply | S3Error> {
    if (!isValidBucketName(bucket)) {
      return s3Error("InvalidBucketName", "The specified bucket is not valid.", { BucketName: bucket });
    }
    const promises = readBodyPromises(request.headers, request.payload);
    if (isS3Error(promises)) return promises;
    const body = await readSmallBody(request, promises);
    if (isS3Error(body)) return body;
    const location = body.length > 0 ? parseLocationConstraint(body.toString("utf8")) : "";
    if (location !== "" && location !== localRegion) {
      return s3Error(
        "IllegalLocationConstraintException",
        `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    const outcome = await this.store.createBucket(bucket, this.now());
    // us-east-1 keeps S3's legacy answer: re-creating a bucket you own there succeeds.
    if (outcome === "exists" && localRegion !== "us-east-1") {
      return s3Error(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  private headBucket(bucket: string): Reply | S3Error {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    return { status: 200, headers: { "x-amz-bucket-region": localRegion } };
  }

  private bucketLocation(bucket: string): Reply | S3Error {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    return xmlReply(locationDocument(localRegion));
  }

  private async deleteBucket(bucket: string): Promise<Reply | S3Error> {
    const outcome = await this.store.deleteBucket(bucket);
    if (outcome === "missing") return noSuchBucket(bucket);
    if (outcome === "not-empty") {
      return s3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: bucket });
    }
    return { status: 204 };
  }

  private listObjectsV2(bucket: string, query: URLSearchParams): Reply | S3Error {
    const keys = this.store.sortedKeys(bucket);
    if (!keys) return noSuchBucket(bucket);
    const maxKeysText = query.get("max-keys") ?? "1000";
    if (!/^\d+$/.test(maxKeysText)) {
      return s3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", {
        ArgumentName: "max-keys",
        ArgumentValue: maxKeysText,
      });
    }
    const encoding = query.get("encoding-type");
    if (encoding !== null && encoding !== "url") {
      return s3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
        ArgumentName: "encoding-type",
        ArgumentValue: encoding,
      });
    }
    const maxKeys = Math.min(Number(maxKeysText), 1000);
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter") || undefined;
    const startAfter = query.get("start-after") ?? undefined;
    const continuationToken = query.get("continuation-token") ?? undefined;
    const listing = listPage<ListedObject>(
      keys,
      (key) => {
        const object = this.store.head(bucket, key);
        return (
          object && {
            key,
            etag: object.etag,
            size: object.size,
            lastModified: new Date(object.lastModified).toISOString(),
          }
        );
      },
      { prefix, delimiter, maxKeys, startAfter, continuationToken },
    );
    if ("invalidToken" in listing) {
      return s3Error("InvalidArgument", "The continuation token provided is incorrect", {
        ArgumentName: "continuation-token",
      });
    }
    return xmlReply(
      listObjectsV2Document({
        bucket,
        listing,
        prefix,
        delimiter,
        maxKeys,
        startAfter,
        continuationToken,
        urlEncoded: encoding === "url",
        fetchOwner: query.get("fetch-owner") === "true",
        ownerId,
      }),
    );
  }

  private async putObject(request: S3Request, bucket: string, key: string): Promise<Reply | S3Error> {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    const { headers } = request;
    const length = headers["x-amz-decoded-content-length"] ?? headers["content-length"];
    if (length === undefined) {
      return s3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
    }
    if (!/^\d+$/.test(length)) return s3Error("InvalidArgument", "The Content-Length is not a number.");
    if (Number(length) > maxObjectBytes) {
      return s3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
        ProposedSize: length,
        MaxSizeAllowed: String(maxObjectBytes),
      });
    }
    const promises = readBodyPromises(headers, request.payload);
    if (isS3Error(promises)) return promises;
    const attributes = attributesFrom(headers);
    if (isS3Error(attributes)) return attributes;
    const body = decodedBody(request, promises);
    let outcome: PutOutcome<S3Error> | undefined;
    try {
      outcome = await this.store.put(bucket, key, body.stream, attributes, this.now(), ({ md5, size }) => {
        if (size !== Number(length)) {
          return s3Error(
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
          );
        }
        return body.verdict(md5);
      });
    } catch (error) {
      const failure = chunkedFailure(error);
      if (failure) return failure;
      if (!request.incoming.complete) return s3Error("IncompleteBody", "The request body ended early.");
      throw error;
    }
    if (!outcome) return noSuchBucket(bucket);
    if (!outcome.ok) return outcome.problem;
    return { status: 200, headers: { etag: outcome.object.etag } };
  }

  private async getObject(request: S3Request, bucket: string, key: string): Promise<Reply | S3Error> {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    const object = this.store.head(bucket, key);
    if (!object) return noSuchKey(key);
    const { headers, query } = request;
    const outcome = evaluatePreconditions(
      {
        ifMatch: headers["if-match"],
        ifNoneMatch: headers["if-none-match"],
        ifModifiedSince: headers["if-modified-since"],
        ifUnmodifiedSince: headers["if-unmodified-since"],
      },
      object,
      request.method,
    );
    if (outcome === "not-modified") {
      return {
        status: 304,
        headers: { etag: object.etag, "last-modified": new Date(object.lastModified).toUTCString() },
      };
    }
    if (outcome === "precondition-failed") {
      const condition = headers["if-match"] !== undefined ? "If-Match" : "If-Unmodified-Since";
      return s3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
        Condition: condition,
      });
    }
    const range = resolveRange(headers.range, object.size);
    if (range.kind === "unsatisfiable") {
      return {
        ...s3Error("InvalidRange", "The requested range is not satisfiable", {
          RangeRequested: headers.range ?? "",
          ActualObjectSize: String(object.size),
        }),
        headers: { "content-range": `bytes */${object.size}` },
      };
    }
    const replyHeaders = objectHeaders(object, query);
    const partial = range.kind === "partial" ? { start: range.start, end: range.end } : undefined;
    replyHeaders["content-length"] = String(partial ? partial.end - partial.start + 1 : object.size);
    if (partial) replyHeaders["content-range"] = `bytes ${partial.start}-${partial.end}/${object.size}`;
    const status = partial ? 206 : 200;
    if (request.method === "HEAD") return { status, headers: replyHeaders };
    const body = await this.store.openBody(bucket, object, partial);
    if (!body) return noSuchKey(key);
    return { status, headers: replyHeaders, body };
  }

  private async deleteObject(bucket: string, key: string): Promise<Reply | S3Error> {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    await this.store.delete(bucket, key);
    return { status: 204 };
  }

  private async deleteObjects(request: S3Request, bucket: string): Promise<Reply | S3Error> {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    const promises = readBodyPromises(request.headers, request.payload);
    if (isS3Error(promises)) return promises;
    if (!promises.contentMd5 && promises.checksums.size === 0 && !promises.trailerChecksum) {
      return s3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
    }
    const body = await readSmallBody(request, promises);
    if (isS3Error(body)) return body;
    const parsed = parseDeleteRequest(body.toString("utf8"));
    if (!parsed.ok || parsed.keys.length === 0 || parsed.keys.length > 1000) {
      return s3Error(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
      );
    }
    const deleted: string[] = [];
    for (const key of parsed.keys) {
      await this.store.delete(bucket, key);
      deleted.push(key);
    }
    return xmlReply(deleteResultDocument(parsed.quiet ? [] : deleted, []));
  }

  private async copyObject(request: S3Request, bucket: string, key: string): Promise<Reply | S3Error> {
    if (!this.store.hasBucket(bucket)) return noSuchBucket(bucket);
    const source = parseCopySource(request.headers["x-amz-copy-source"] ?? "");
    if (!source) {
      return s3Error(
        "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        {
          ArgumentName: "x-amz-copy-source",
        },
      );
    }
    if (!this.store.hasBucket(source.bucket)) return noSuchBucket(source.bucket);
    const original = this.store.head(source.bucket, source.key);
    if (!original) return noSuchKey(source.key);
    const { headers } = request;
    const conditions = evaluatePreconditions(
      {
        ifMatch: headers["x-amz-copy-source-if-match"],
        ifNoneMatch: headers["x-amz-copy-source-if-none-match"],
        ifModifiedSince: headers["x-amz-copy-source-if-modified-since"],
        ifUnmodifiedSince: headers["x-amz-copy-source-if-unmodified-since"],
      },
      original,
      "GET",
    );
    if (conditions !== "proceed") {
      return s3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
        Condition: "x-amz-copy-source conditions",
      });
    }
    const replace = headers["x-amz-metadata-directive"] === "REPLACE";
    if (!replace && source.bucket === bucket && source.key === key) {
      return s3Error(
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    let attributes: ObjectAttributes;
    if (replace) {
      const replaced = attributesFrom(headers);
      if (isS3Error(replaced)) return replaced;
      attributes = replaced;
    } else {
      attributes = attributesOf(original);
    }
    await drain(request.incoming);
    const copy = await this.store.copy(
      { bucket: source.bucket, object: original },
      { bucket, key },
      attributes,
      this.now(),
    );
    if (!copy) return noSuchKey(source.key);
    return xmlReply(copyObjectResultDocument(copy.etag, new Date(copy.lastModified).toISOString()));
  }
}

/** Reads x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded as a whole, perhaps with "?versionId=". */
function parseCopySource(header: string): { bucket: string; key: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(header.split("?")[0] ?? "");
  } catch {
    return undefined;
  }
  const trimmed = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) return undefined;
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1) };
}

async function send(
  incoming: IncomingMessage,
  response: ServerResponse,
  reply: Reply | S3Error,
  requestId: string,
  resource: string,
): Promise<void> {
  const common = {
    "x-amz-request-id": requestId,
    "x-amz-id-2": randomBytes(24).toString("base64"),
    server: "AmazonS3",
  };
  if (isS3Error(reply)) {
    await drain(incoming);
    const status = statusOf(reply.code);
    // HEAD answers carry no body, so the SDK only sees the status (NotFound, Forbidden…).
    const body =
      incoming.method === "HEAD"
        ? ""
        : errorDocument({
            code: reply.code,
            message: reply.message,
            requestId,
            resource,
            detail: reply.detail,
          });
    response.writeHead(status, {
      ...common,
      ...reply.headers,
      "content-type": "application/xml",
      "content-length": String(Buffer.byteLength(body)),
    });
    response.end(body);
    return;
  }
  await drain(incoming);
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
  const handlers = new S3Handlers(store, now);

  const server = createServer((incoming, response) => {
    const requestId = randomBytes(8).toString("hex").toUpperCase();
    const rawUrl = incoming.url ?? "/";
    const questionMark = rawUrl.indexOf("?");
    const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
    const rawQuery = questionMark < 0 ? "" : rawUrl.slice(questionMark + 1);
    const headers = headersOf(incoming);
    const method = incoming.method ?? "GET";
    const answer = async (): Promise<Reply | S3Error> => {
      const signed: SignedRequest = { method, path, query: rawQuery, headers };
      const verdict = await verifySignature(signed, {
        service: "s3",
        region: localRegion,
        credentials: [localCredentials],
        uriEscapePath: false,
        now: now(),
      });
      if (!verdict.ok) return s3Error(verdict.code, verdict.message, verdict.detail);
      const names = parsePath(path);
      if (!names || !path.startsWith("/")) return s3Error("InvalidURI", "Couldn't parse the specified URI.");
      return handlers.route({
        incoming,
        method,
        bucket: names.bucket,
        key: names.key,
        query: new URLSearchParams(rawQuery),
        headers,
        payload: verdict.payload,
      });
    };
    answer()
      .catch((error: unknown) => {
        console.error(`S3 stand-in: ${method} ${path} failed (request ${requestId})`, error);
        return s3Error("InternalError", "We encountered an internal error. Please try again.");
      })
      .then((reply) => send(incoming, response, reply, requestId, path))
      .catch(() => {
        // The client went away mid-answer; nothing is left to tell it.
        response.destroy();
      });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (temporary) await rm(temporary, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
