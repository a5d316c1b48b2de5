// Which S3 operation a request is, the IAM action it needs and the handler that performs it.

import {
  bucketLocation,
  createBucket,
  deleteBucket,
  deleteBucketCors,
  deleteBucketPolicy,
  getBucketCors,
  getBucketPolicy,
  headBucket,
  listBuckets,
  listObjectsV2,
  putBucketCors,
  putBucketPolicy,
} from "./bucket-handlers.ts";
import { methodNotAllowed, notImplemented, type S3Error, s3Error } from "./errors.ts";
import { formBoundary } from "./form-data.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from "./multipart.ts";
import { copyObject, deleteObject, deleteObjects, getObject, putObject } from "./object-handlers.ts";
import { postObject } from "./post-object.ts";
import type { Reply, S3Context, S3Request } from "./request.ts";

export interface Operation {
  /**
   * The IAM action a bucket policy grants or denies (S3 User Guide, "Actions for Amazon S3"); undefined when
   * the handler authorises each thing it touches itself (DeleteObjects per key, a form POST for its key).
   */
  action: string | undefined;
  /** The bucket the operation acts on; it must exist first (except for CreateBucket). */
  bucket: string | undefined;
  /** For object operations, the key the resource ARN names. */
  key?: string;
  /** The browser form POST carries its own signature in the form; the server does not check a header one. */
  signedByForm?: boolean;
  run: (context: S3Context, request: S3Request) => Promise<Reply | S3Error> | Reply | S3Error;
}

const maxKeyBytes = 1024;

// Sub-resources of S3 the stand-in does not offer; asking for one must fail loudly, not act like a plain GET.
const unsupportedSubresources = [
  "acl",
  "analytics",
  "attributes",
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
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "versioning",
  "versions",
  "website",
];

function bucketOperation(
  method: string,
  query: URLSearchParams,
  bucket: string,
  request: S3Request,
): Operation | S3Error {
  const on = (action: string, run: Operation["run"]): Operation => ({
    action,
    bucket,
    run,
  });
  if (query.has("policy")) {
    if (method === "PUT") return on("s3:PutBucketPolicy", (c, r) => putBucketPolicy(c, r, bucket));
    if (method === "GET") return on("s3:GetBucketPolicy", (c) => getBucketPolicy(c, bucket));
    if (method === "DELETE") return on("s3:DeleteBucketPolicy", (c) => deleteBucketPolicy(c, bucket));
    return methodNotAllowed();
  }
  if (query.has("cors")) {
    // DeleteBucketCors needs s3:PutBucketCORS (S3 API Reference, DeleteBucketCors: Permissions).
    if (method === "PUT") return on("s3:PutBucketCORS", (c, r) => putBucketCors(c, r, bucket));
    if (method === "GET") return on("s3:GetBucketCORS", (c) => getBucketCors(c, bucket));
    if (method === "DELETE") return on("s3:PutBucketCORS", (c) => deleteBucketCors(c, bucket));
    return methodNotAllowed();
  }
  if (query.has("uploads")) return notImplemented("ListMultipartUploads");
  if (method === "PUT") return on("s3:CreateBucket", (c, r) => createBucket(c, r, bucket));
  if (method === "HEAD") return on("s3:ListBucket", () => headBucket());
  if (method === "DELETE") return on("s3:DeleteBucket", (c) => deleteBucket(c, bucket));
  if (method === "POST" && query.has("delete")) {
    return { action: undefined, bucket, run: (c, r) => deleteObjects(c, r, bucket) };
  }
  if (method === "POST" && formBoundary(request.headers["content-type"]) !== undefined) {
    // The form's signer is authorised for s3:PutObject on the key the form names, once the form is read.
    return {
      action: undefined,
      bucket,
      signedByForm: true,
      run: (c, r) => postObject(c, r, bucket),
    };
  }
  if (method === "GET" && query.has("location")) return on("s3:GetBucketLocation", () => bucketLocation());
  if (method === "GET" && query.get("list-type") === "2")
    return on("s3:ListBucket", (c) => listObjectsV2(c, bucket, query));
  if (method === "GET") return notImplemented("ListObjects (version 1); use ListObjectsV2");
  return methodNotAllowed();
}

function objectOperation(
  method: string,
  request: S3Request,
  bucket: string,
  key: string,
): Operation | S3Error {
  const { query } = request;
  if (Buffer.byteLength(key) > maxKeyBytes) {
    return s3Error("KeyTooLongError", "Your key is too long", { Size: String(Buffer.byteLength(key)) });
  }
  const on = (action: string, run: Operation["run"]): Operation => ({
    action,
    bucket,
    key,
    run,
  });
  const uploadId = query.has("uploadId");
  if (method === "POST" && query.has("uploads"))
    return on("s3:PutObject", (c, r) => createMultipartUpload(c, r, bucket, key));
  if (method === "PUT" && uploadId && query.has("partNumber")) {
    if (request.headers["x-amz-copy-source"] !== undefined) return notImplemented("UploadPartCopy");
    return on("s3:PutObject", (c, r) => uploadPart(c, r, bucket, key));
  }
  if (method === "POST" && uploadId)
    return on("s3:PutObject", (c, r) => completeMultipartUpload(c, r, bucket, key));
  if (method === "GET" && uploadId)
    return on("s3:ListMultipartUploadParts", (c, r) => listParts(c, r, bucket, key));
  if (method === "DELETE" && uploadId)
    return on("s3:AbortMultipartUpload", (c, r) => abortMultipartUpload(c, r, bucket, key));
  if (query.has("partNumber")) return notImplemented("partNumber");
  if (method === "PUT" && request.headers["x-amz-copy-source"] !== undefined) {
    return on("s3:PutObject", (c, r) => copyObject(c, r, bucket, key));
  }
  if (method === "PUT") return on("s3:PutObject", (c, r) => putObject(c, r, bucket, key));
  if (method === "GET" || method === "HEAD")
    return on("s3:GetObject", (c, r) => getObject(c, r, bucket, key));
  if (method === "DELETE") return on("s3:DeleteObject", (c) => deleteObject(c, bucket, key));
  return methodNotAllowed();
}

/** The operation a request names, from its method, bucket, key, sub-resources and headers. */
export function operationOf(request: S3Request): Operation | S3Error {
  const { method, bucket, key, query } = request;
  const unsupported = unsupportedSubresources.find((name) => query.has(name));
  if (unsupported) return notImplemented(unsupported);
  if (bucket === undefined) {
    if (method === "GET") return { action: "s3:ListAllMyBuckets", bucket: undefined, run: listBuckets };
    return methodNotAllowed();
  }
  if (key === undefined) return bucketOperation(method, query, bucket, request);
  return objectOperation(method, request, bucket, key);
}
