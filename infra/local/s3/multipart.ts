// S3's multipart upload: CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload and
// AbortMultipartUpload, with S3's limits (S3 User Guide, "Amazon S3 multipart upload limits").
import { bodyFailure, decodedBody, readSmallBody } from "./body.ts";
import { type S3Error, s3Error } from "./errors.ts";
import { readBodyPromises } from "./integrity.ts";
import type { Part } from "./multipart-store.ts";
import { multipartEtag } from "./multipart-store.ts";
import { attributesFrom } from "./object-attributes.ts";
import { declaredLength } from "./object-handlers.ts";
import { isS3Error, ownerId, type Reply, type S3Context, type S3Request, xmlReply } from "./request.ts";
import {
  completeMultipartUploadDocument,
  initiateMultipartUploadDocument,
  listPartsDocument,
  parseCompleteRequest,
} from "./xml.ts";

export const maxPartNumber = 10_000;
export const minPartBytes = 5 * 1024 * 1024;
export const maxPartBytes = 5 * 1024 ** 3;

const noSuchUpload = (uploadId: string) =>
  s3Error(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    { UploadId: uploadId },
  );

export async function createMultipartUpload(
  context: S3Context,
  request: S3Request,
  bucket: string,
  key: string,
) {
  const attributes = attributesFrom(request.headers);
  if (isS3Error(attributes)) return attributes;
  const upload = await context.uploads.create(bucket, key, attributes, context.now());
  return xmlReply(initiateMultipartUploadDocument(bucket, key, upload.uploadId));
}

function partNumberOf(text: string | null): number | S3Error {
  const number = text !== null && /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (number >= 1 && number <= maxPartNumber) return number;
  return s3Error(
    "InvalidArgument",
    `Part number must be an integer between 1 and ${maxPartNumber}, inclusive`,
    {
      ArgumentName: "partNumber",
      ArgumentValue: text ?? "",
    },
  );
}

export async function uploadPart(context: S3Context, request: S3Request, bucket: string, key: string) {
  const uploadId = request.query.get("uploadId") ?? "";
  const partNumber = partNumberOf(request.query.get("partNumber"));
  if (isS3Error(partNumber)) return partNumber;
  if (!context.uploads.find(uploadId, bucket, key)) return noSuchUpload(uploadId);
  const length = declaredLength(request.headers, maxPartBytes);
  if (isS3Error(length)) return length;
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  const body = decodedBody(request, promises);
  let outcome: Awaited<ReturnType<typeof context.uploads.putPart<S3Error>>>;
  try {
    outcome = await context.uploads.putPart(
      uploadId,
      partNumber,
      body.stream,
      context.now(),
      ({ md5, size }) =>
        size !== length
          ? s3Error(
              "IncompleteBody",
              "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            )
          : body.verdict(md5),
    );
  } catch (error) {
    const failure = bodyFailure(error, request.incoming);
    if (failure) return failure;
    throw error;
  }
  if (!outcome) return noSuchUpload(uploadId);
  if (!outcome.ok) return outcome.problem;
  const headers: Record<string, string> = { etag: outcome.part.etag };
  // S3 echoes the checksum a part was sent with.
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-algorithm" && value)
      headers[name] = value;
  }
  return { status: 200, headers };
}

export function listParts(
  context: S3Context,
  request: S3Request,
  bucket: string,
  key: string,
): Reply | S3Error {
  const uploadId = request.query.get("uploadId") ?? "";
  if (!context.uploads.find(uploadId, bucket, key)) return noSuchUpload(uploadId);
  const maxText = request.query.get("max-parts") ?? "1000";
  const markerText = request.query.get("part-number-marker") ?? "0";
  if (!/^\d{1,9}$/.test(maxText) || !/^\d{1,9}$/.test(markerText)) {
    return s3Error("InvalidArgument", "max-parts and part-number-marker must be non-negative integers");
  }
  const maxParts = Math.min(Number(maxText), 1000);
  const marker = Number(markerText);
  const after = context.uploads.parts(uploadId).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  return xmlReply(
    listPartsDocument({
      bucket,
      key,
      uploadId,
      partNumberMarker: marker,
      maxParts,
      isTruncated: after.length > page.length,
      ownerId,
      parts: page.map((part) => ({
        partNumber: part.partNumber,
        etag: part.etag,
        size: part.size,
        lastModified: new Date(part.lastModified).toISOString(),
      })),
    }),
  );
}

const bare = (etag: string) => etag.replace(/^"|"$/g, "");

/**
 * Checks a CompleteMultipartUpload part list against the uploaded parts, in S3's order: ascending part numbers,
 * each part present with its ETag, every part but the last at least 5 MiB.
 */
export function chosenParts(
  requested: readonly { partNumber: number; etag: string }[],
  uploaded: ReadonlyMap<number, Part>,
  uploadId: string,
): Part[] | S3Error {
  if (requested.length === 0) {
    return s3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const chosen: Part[] = [];
  let previous = 0;
  for (const { partNumber, etag } of requested) {
    if (partNumber <= previous) {
      return s3Error(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
        {
          UploadId: uploadId,
        },
      );
    }
    previous = partNumber;
    const part = uploaded.get(partNumber);
    if (!part || bare(part.etag) !== bare(etag)) {
      return s3Error(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag },
      );
    }
    chosen.push(part);
  }
  const small = chosen.slice(0, -1).find((part) => part.size < minPartBytes);
  if (small) {
    return s3Error(
      "EntityTooSmall",
      "Your proposed upload is smaller than the minimum allowed object size.",
      {
        ProposedSize: String(small.size),
        MinSizeAllowed: String(minPartBytes),
        PartNumber: String(small.partNumber),
        ETag: small.etag,
      },
    );
  }
  return chosen;
}

export async function completeMultipartUpload(
  context: S3Context,
  request: S3Request,
  bucket: string,
  key: string,
) {
  const uploadId = request.query.get("uploadId") ?? "";
  if (!context.uploads.find(uploadId, bucket, key)) return noSuchUpload(uploadId);
  const promises = readBodyPromises(request.headers, request.payload);
  if (isS3Error(promises)) return promises;
  const body = await readSmallBody(context, request, promises);
  if (isS3Error(body)) return body;
  const parsed = parseCompleteRequest(body.toString("utf8"));
  if (!parsed.ok) {
    return s3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const uploaded = new Map(context.uploads.parts(uploadId).map((part) => [part.partNumber, part]));
  const chosen = chosenParts(parsed.parts, uploaded, uploadId);
  if (isS3Error(chosen)) return chosen;
  const upload = context.uploads.find(uploadId, bucket, key);
  const bytes = context.uploads.assemble(uploadId, chosen);
  if (!upload || !bytes) return noSuchUpload(uploadId);
  const etag = multipartEtag(chosen);
  let outcome: Awaited<ReturnType<typeof context.store.put>>;
  try {
    outcome = await context.store.put(
      bucket,
      key,
      bytes,
      upload.attributes,
      context.now(),
      () => undefined,
      etag,
    );
  } catch (error) {
    context.uploads.reopen(uploadId);
    throw error;
  }
  if (!outcome?.ok) {
    context.uploads.reopen(uploadId);
    return s3Error("InternalError", "We encountered an internal error. Please try again.");
  }
  await context.uploads.remove(uploadId);
  const location = `/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return xmlReply(completeMultipartUploadDocument({ location, bucket, key, etag }));
}

export async function abortMultipartUpload(
  context: S3Context,
  request: S3Request,
  bucket: string,
  key: string,
) {
  const uploadId = request.query.get("uploadId") ?? "";
  if (!context.uploads.find(uploadId, bucket, key)) return noSuchUpload(uploadId);
  await context.uploads.remove(uploadId);
  return { status: 204 };
}
