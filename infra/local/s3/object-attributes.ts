// An object's stored attributes (content headers and x-amz-meta-*) as requests set them and responses show them.
import { type S3Error, s3Error } from "./errors.ts";
import type { ObjectAttributes, StoredObject } from "./object-store.ts";

const maxMetadataBytes = 2048;

// GetObject's response-* query parameters replace these response headers (S3 API Reference, GetObject).
const responseOverrides: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** The attributes a PutObject, CreateMultipartUpload or POST form sets; names in lower case. */
export function attributesFrom(
  headers: Readonly<Record<string, string | undefined>>,
): ObjectAttributes | S3Error {
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
export function attributesOf(object: StoredObject): ObjectAttributes {
  const { key, size, etag, lastModified, bodyFile, ...attributes } = object;
  return attributes;
}

export function objectHeaders(object: StoredObject, query: URLSearchParams): Record<string, string> {
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
