// S3's object operations: PutObject, GetObject/HeadObject, DeleteObject, DeleteObjects and CopyObject.
import { bodyFailure, decodedBody, drain, readSmallBody } from "./body.ts";
import { accessDenied, noSuchBucket, noSuchKey, type S3Error, s3Error } from "./errors.ts";
import { readBodyPromises } from "./integrity.ts";
import { attributesFrom, attributesOf, objectHeaders } from "./object-attributes.ts";
import type { ObjectAttributes, PutOutcome } from "./object-store.ts";
import { evaluatePreconditions, ifRangeHolds, resolveRange } from "./preconditions.ts";
import { isS3Error, type Reply, type S3Context, type S3Request, xmlReply } from "./request.ts";
import { copyObjectResultDocument, deleteResultDocument, parseDeleteRequest } from "./xml.ts";

/** S3's largest single PUT (S3 User Guide, "Uploading objects"). */
export const maxPutBytes = 5 * 1024 ** 3;

/** The Content-Length a PUT declares for its object (the decoded length for aws-chunked), or S3's refusal. */
export function declaredLength(headers: S3Request["headers"], max: number): number | S3Error {
  const length = headers["x-amz-decoded-content-length"] ?? headers["content-length"];
  if (length === undefined)
    return s3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
  if (!/^\d+$/.test(length)) return s3Error("InvalidArgument", "The Content-Length is not a number.");
  if (Number(length) > max) {
    return s3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      ProposedSize: length,
      MaxSizeAllowed: String(max),
    });
  }
  return Number(length);
}

const incompleteBody = () =>
  s3Error(
    "IncompleteBody",
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
  );

export async function putObject(context: S3Context, request: S3Request, bucket: string, key: string) {
  const { headers } = request;
  const length = declaredLength(headers, maxPutBytes);
  if (isS3Error(length)) return length;
  const promises = readBodyPromises(headers, request.payload);
  if (isS3Error(promises)) return promises;
  const attributes = attributesFrom(headers);
  if (isS3Error(attributes)) return attributes;
  const body = decodedBody(request, promises);
  let outcome: PutOutcome<S3Error> | undefined;
  try {
    outcome = await context.store.put(bucket, key, body.stream, attributes, context.now(), ({ md5, size }) =>
      size !== length ? incompleteBody() : body.verdict(md5),
    );
  } catch (error) {
    const failure = bodyFailure(error, request.incoming);
    if (failure) return failure;
    throw error;
  }
  if (!outcome) return noSuchBucket(bucket);
  if (!outcome.ok) return outcome.problem;
  return { status: 200, headers: { etag: outcome.object.etag } };
}

export async function getObject(context: S3Context, request: S3Request, bucket: string, key: string) {
  const object = context.store.head(bucket, key);
  if (!object) {
    // Without s3:ListBucket, S3 will not say whether a key exists: 403, not 404 (S3 API Reference, GetObject,
    // "Permissions"). The edge's OAC policy grants only s3:GetObject, so it sees 403 for a missing page.
    return request.access?.allows("s3:ListBucket", bucket) ? noSuchKey(key) : accessDenied();
  }
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
  const rangeHeader = ifRangeHolds(headers["if-range"], object) ? headers.range : undefined;
  const range = resolveRange(rangeHeader, object.size);
  if (range.kind === "unsatisfiable") {
    return {
      ...s3Error("InvalidRange", "The requested range is not satisfiable", {
        RangeRequested: rangeHeader ?? "",
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
  const body = await context.store.openBody(bucket, object, partial);
  if (!body) return noSuchKey(key);
  return { status, headers: replyHeaders, body };
}

export async function deleteObject(context: S3Context, bucket: string, key: string): Promise<Reply> {
  await context.store.delete(bucket, key);
  return { status: 204 };
}

export async function deleteObjects(context: S3Context, request: S3Request, bucket: string) {
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  if (!promises.contentMd5 && promises.checksums.size === 0 && !promises.trailerChecksum) {
    return s3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  const body = await readSmallBody(context, request, promises);
  if (isS3Error(body)) return body;
  const parsed = parseDeleteRequest(body.toString("utf8"));
  if (!parsed.ok || parsed.keys.length === 0 || parsed.keys.length > 1000) {
    return s3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const deleted: string[] = [];
  const refused: { key: string; code: string; message: string }[] = [];
  for (const key of parsed.keys) {
    // Each key is authorised on its own, as S3 does for multi-object delete.
    if (!request.access?.allows("s3:DeleteObject", bucket, key)) {
      refused.push({ key, code: "AccessDenied", message: "Access Denied" });
      continue;
    }
    await context.store.delete(bucket, key);
    deleted.push(key);
  }
  return xmlReply(deleteResultDocument(parsed.quiet ? [] : deleted, refused));
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

export async function copyObject(context: S3Context, request: S3Request, bucket: string, key: string) {
  const { store } = context;
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
  if (!store.hasBucket(source.bucket)) return noSuchBucket(source.bucket);
  if (!request.access?.allows("s3:GetObject", source.bucket, source.key)) return accessDenied();
  const original = store.head(source.bucket, source.key);
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
  const copy = await store.copy(
    { bucket: source.bucket, object: original },
    { bucket, key },
    attributes,
    context.now(),
  );
  if (!copy) return noSuchKey(source.key);
  return xmlReply(copyObjectResultDocument(copy.etag, new Date(copy.lastModified).toISOString()));
}
