// S3's bucket operations: list, create, head, locate and delete buckets, ListObjectsV2, bucket policies and
// CORS configurations.
import { localRegion } from "../config.ts";
import { readSmallBody } from "./body.ts";
import { isValidBucketName } from "./bucket.ts";
import { maxPolicyBytes, parseBucketPolicy } from "./bucket-policy.ts";
import { corsConfigurationDocument, maxCorsBytes, parseCorsConfiguration } from "./cors-config.ts";
import { noSuchBucket, type S3Error, s3Error } from "./errors.ts";
import { readBodyPromises } from "./integrity.ts";
import { listPage } from "./listing.ts";
import { isS3Error, ownerId, type Reply, type S3Context, type S3Request, xmlReply } from "./request.ts";
import {
  type ListedObject,
  listBucketsDocument,
  listObjectsV2Document,
  locationDocument,
  parseLocationConstraint,
} from "./xml.ts";

export function listBuckets(context: S3Context): Reply {
  return xmlReply(listBucketsDocument(context.store.listBuckets(), ownerId, localRegion));
}

export async function createBucket(context: S3Context, request: S3Request, bucket: string) {
  if (!isValidBucketName(bucket)) {
    return s3Error("InvalidBucketName", "The specified bucket is not valid.", { BucketName: bucket });
  }
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  const body = await readSmallBody(context, request, promises);
  if (isS3Error(body)) return body;
  const location = body.length > 0 ? parseLocationConstraint(body.toString("utf8")) : "";
  if (location !== "" && location !== localRegion) {
    return s3Error(
      "IllegalLocationConstraintException",
      `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const outcome = await context.store.createBucket(bucket, context.now());
  // us-east-1 keeps S3's legacy answer: re-creating a bucket you own there succeeds.
  if (outcome === "exists" && localRegion !== "us-east-1") {
    return s3Error(
      "BucketAlreadyOwnedByYou",
      "Your previous request to create the named bucket succeeded and you already own it.",
      {
        BucketName: bucket,
      },
    );
  }
  return { status: 200, headers: { location: `/${bucket}` } };
}

export function headBucket(): Reply {
  return { status: 200, headers: { "x-amz-bucket-region": localRegion } };
}

export function bucketLocation(): Reply {
  return xmlReply(locationDocument(localRegion));
}

export async function deleteBucket(context: S3Context, bucket: string): Promise<Reply | S3Error> {
  const outcome = await context.store.deleteBucket(bucket);
  if (outcome === "missing") return noSuchBucket(bucket);
  if (outcome === "not-empty") {
    return s3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: bucket });
  }
  return { status: 204 };
}

export function listObjectsV2(context: S3Context, bucket: string, query: URLSearchParams): Reply | S3Error {
  const keys = context.store.sortedKeys(bucket);
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
      const object = context.store.head(bucket, key);
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

/** PutBucketPolicy: the JSON document is checked whole before it replaces the bucket's policy. */
export async function putBucketPolicy(context: S3Context, request: S3Request, bucket: string) {
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  const body = await readSmallBody(
    context,
    request,
    promises,
    maxPolicyBytes,
    s3Error("MalformedPolicy", "Policies must be 20 KB or smaller"),
  );
  if (isS3Error(body)) return body;
  const text = body.toString("utf8");
  const parsed = parseBucketPolicy(text, bucket);
  if (!parsed.ok) return s3Error("MalformedPolicy", parsed.message);
  await context.store.setPolicy(bucket, { text, parsed: parsed.policy });
  return { status: 204 };
}

export function getBucketPolicy(context: S3Context, bucket: string): Reply | S3Error {
  const policy = context.store.policyOf(bucket);
  if (!policy)
    return s3Error("NoSuchBucketPolicy", "The bucket policy does not exist", { BucketName: bucket });
  return { status: 200, headers: { "content-type": "application/json" }, body: policy.text };
}

export async function deleteBucketPolicy(context: S3Context, bucket: string): Promise<Reply> {
  await context.store.setPolicy(bucket, undefined);
  return { status: 204 };
}

/** PutBucketCors: an integrity header is required (S3 API Reference, PutBucketCors: Content-MD5). */
export async function putBucketCors(context: S3Context, request: S3Request, bucket: string) {
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  if (!promises.contentMd5 && promises.checksums.size === 0 && !promises.trailerChecksum) {
    return s3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  const body = await readSmallBody(context, request, promises, maxCorsBytes);
  if (isS3Error(body)) return body;
  const parsed = parseCorsConfiguration(body.toString("utf8"));
  if (!parsed.ok) return parsed.error;
  await context.store.setCors(bucket, parsed.rules);
  return { status: 200 };
}

export function getBucketCors(context: S3Context, bucket: string): Reply | S3Error {
  const rules = context.store.corsOf(bucket);
  if (!rules)
    return s3Error("NoSuchCORSConfiguration", "The CORS configuration does not exist", {
      BucketName: bucket,
    });
  return xmlReply(corsConfigurationDocument(rules));
}

export async function deleteBucketCors(context: S3Context, bucket: string): Promise<Reply> {
  await context.store.setCors(bucket, undefined);
  return { status: 204 };
}
