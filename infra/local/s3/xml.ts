// The S3 REST API's XML documents: the responses the stand-in writes and the few request bodies it reads.
import type { ObjectListing } from "./listing.ts";

const namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Escapes text for an XML element; characters XML 1.0 cannot carry literally become references. */
export function escapeXml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to replace.
  return text.replace(/[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (character) => {
    switch (character) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return `&#x${character.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** One element; `children` is already-rendered XML, a string value is escaped text. */
type Node = string | { xml: string };

function element(name: string, content: Node | readonly Node[] | undefined): string {
  if (content === undefined) return "";
  const parts = Array.isArray(content) ? content : [content];
  const inner = parts.map((part) => (typeof part === "string" ? escapeXml(part) : part.xml)).join("");
  return `<${name}>${inner}</${name}>`;
}

const raw = (xml: string): { xml: string } => ({ xml });
const nested = (...elements: string[]) => raw(elements.join(""));

export function errorDocument(error: {
  code: string;
  message: string;
  requestId: string;
  detail?: Record<string, string>;
}): string {
  // As S3 answers: the code's own details (Key, BucketName…) and no generic Resource, so an
  // AccessDenied passed on by the edge names no bucket.
  const detail = Object.entries(error.detail ?? {}).map(([name, value]) => element(name, value));
  return `${declaration}${element("Error", [
    raw(element("Code", error.code)),
    raw(element("Message", error.message)),
    ...detail.map(raw),
    raw(element("RequestId", error.requestId)),
  ])}`;
}

const owner = (ownerId: string) =>
  element("Owner", nested(element("ID", ownerId), element("DisplayName", "goodgreets-local")));

export function listBucketsDocument(
  buckets: readonly { name: string; creationDate: string }[],
  ownerId: string,
  region: string,
): string {
  const entries = buckets.map((bucket) =>
    element(
      "Bucket",
      nested(
        element("Name", bucket.name),
        element("CreationDate", bucket.creationDate),
        element("BucketRegion", region),
      ),
    ),
  );
  return `${declaration}<ListAllMyBucketsResult xmlns="${namespace}">${owner(ownerId)}${element("Buckets", nested(...entries))}</ListAllMyBucketsResult>`;
}

export function locationDocument(region: string): string {
  // us-east-1 is the one region S3 reports as an empty LocationConstraint.
  const location = region === "us-east-1" ? "" : escapeXml(region);
  return `${declaration}<LocationConstraint xmlns="${namespace}">${location}</LocationConstraint>`;
}

export interface ListedObject {
  key: string;
  lastModified: string;
  etag: string;
  size: number;
}

export function listObjectsV2Document(input: {
  bucket: string;
  listing: ObjectListing<ListedObject>;
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  startAfter: string | undefined;
  continuationToken: string | undefined;
  urlEncoded: boolean;
  fetchOwner: boolean;
  ownerId: string;
}): string {
  // With encoding-type=url, S3 encodes every key-like value so any byte survives XML.
  const text = (value: string) =>
    input.urlEncoded ? encodeURIComponent(value).replaceAll("%2F", "/") : value;
  const contents = input.listing.objects.map((object) =>
    element(
      "Contents",
      nested(
        element("Key", text(object.key)),
        element("LastModified", object.lastModified),
        element("ETag", object.etag),
        element("Size", String(object.size)),
        input.fetchOwner ? owner(input.ownerId) : "",
        element("StorageClass", "STANDARD"),
      ),
    ),
  );
  const prefixes = input.listing.commonPrefixes.map((prefix) =>
    element("CommonPrefixes", nested(element("Prefix", text(prefix)))),
  );
  const body = [
    element("Name", input.bucket),
    element("Prefix", text(input.prefix)),
    input.delimiter === undefined ? "" : element("Delimiter", text(input.delimiter)),
    element("MaxKeys", String(input.maxKeys)),
    input.urlEncoded ? element("EncodingType", "url") : "",
    element("KeyCount", String(input.listing.objects.length + input.listing.commonPrefixes.length)),
    element("IsTruncated", String(input.listing.isTruncated)),
    input.continuationToken === undefined ? "" : element("ContinuationToken", input.continuationToken),
    input.listing.nextContinuationToken === undefined
      ? ""
      : element("NextContinuationToken", input.listing.nextContinuationToken),
    input.startAfter === undefined ? "" : element("StartAfter", text(input.startAfter)),
    ...contents,
    ...prefixes,
  ];
  return `${declaration}<ListBucketResult xmlns="${namespace}">${body.join("")}</ListBucketResult>`;
}

export function deleteResultDocument(
  deleted: readonly string[],
  errors: readonly { key: string; code: string; message: string }[],
): string {
  const entries = [
    ...deleted.map((key) => element("Deleted", nested(element("Key", key)))),
    ...errors.map((error) =>
      element(
        "Error",
        nested(element("Key", error.key), element("Code", error.code), element("Message", error.message)),
      ),
    ),
  ];
  return `${declaration}<DeleteResult xmlns="${namespace}">${entries.join("")}</DeleteResult>`;
}

export function copyObjectResultDocument(etag: string, lastModified: string): string {
  return `${declaration}<CopyObjectResult xmlns="${namespace}">${element("LastModified", lastModified)}${element("ETag", etag)}</CopyObjectResult>`;
}

/** Undoes the five named entities and numeric character references; anything else is left as written. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity] ?? "";
  });
}

/**
 * The text of each `<name>` element (no nesting of the same name), in document order. Each search resumes
 * where the last one ended and stops at the first unclosed element, so the work is linear in the document.
 */
export function elementTexts(xml: string, name: string): string[] {
  const texts: string[] = [];
  const close = `</${name}>`;
  let from = 0;
  for (;;) {
    const open = xml.indexOf(`<${name}`, from);
    if (open < 0) return texts;
    const after = xml[open + name.length + 1];
    if (after !== ">" && after !== " " && after !== "\t" && after !== "\n" && after !== "\r") {
      from = open + 1;
      continue;
    }
    const tagEnd = xml.indexOf(">", open);
    if (tagEnd < 0) return texts;
    const end = xml.indexOf(close, tagEnd + 1);
    if (end < 0) return texts;
    texts.push(xml.slice(tagEnd + 1, end));
    from = end + close.length;
  }
}

export type DeleteRequest = { ok: true; quiet: boolean; keys: string[] } | { ok: false };

/** Reads a DeleteObjects body: `<Delete><Object><Key>…</Key></Object>…<Quiet>true</Quiet></Delete>`. */
export function parseDeleteRequest(xml: string): DeleteRequest {
  const [deleteElement] = elementTexts(xml, "Delete");
  if (deleteElement === undefined) return { ok: false };
  const keys: string[] = [];
  for (const object of elementTexts(deleteElement, "Object")) {
    const [key] = elementTexts(object, "Key");
    if (key === undefined) return { ok: false };
    keys.push(unescapeXml(key));
  }
  const [quiet] = elementTexts(deleteElement, "Quiet");
  return { ok: true, quiet: quiet?.trim() === "true", keys };
}

/** The LocationConstraint of a CreateBucket body, "" when the body names none. */
export function parseLocationConstraint(xml: string): string {
  const [location] = elementTexts(xml, "LocationConstraint");
  return location === undefined ? "" : unescapeXml(location.trim());
}

export function initiateMultipartUploadDocument(bucket: string, key: string, uploadId: string): string {
  return `${declaration}<InitiateMultipartUploadResult xmlns="${namespace}">${element("Bucket", bucket)}${element("Key", key)}${element("UploadId", uploadId)}</InitiateMultipartUploadResult>`;
}

export function completeMultipartUploadDocument(input: {
  location: string;
  bucket: string;
  key: string;
  etag: string;
}): string {
  return `${declaration}<CompleteMultipartUploadResult xmlns="${namespace}">${element("Location", input.location)}${element("Bucket", input.bucket)}${element("Key", input.key)}${element("ETag", input.etag)}</CompleteMultipartUploadResult>`;
}

export interface ListedPart {
  partNumber: number;
  lastModified: string;
  etag: string;
  size: number;
}

export function listPartsDocument(input: {
  bucket: string;
  key: string;
  uploadId: string;
  partNumberMarker: number;
  maxParts: number;
  parts: readonly ListedPart[];
  isTruncated: boolean;
  ownerId: string;
}): string {
  const parts = input.parts.map((part) =>
    element(
      "Part",
      nested(
        element("PartNumber", String(part.partNumber)),
        element("LastModified", part.lastModified),
        element("ETag", part.etag),
        element("Size", String(part.size)),
      ),
    ),
  );
  const next = input.parts.at(-1)?.partNumber ?? input.partNumberMarker;
  const body = [
    element("Bucket", input.bucket),
    element("Key", input.key),
    element("UploadId", input.uploadId),
    element("Initiator", nested(element("ID", input.ownerId), element("DisplayName", "goodgreets-local"))),
    owner(input.ownerId),
    element("StorageClass", "STANDARD"),
    element("PartNumberMarker", String(input.partNumberMarker)),
    element("NextPartNumberMarker", String(next)),
    element("MaxParts", String(input.maxParts)),
    element("IsTruncated", String(input.isTruncated)),
    ...parts,
  ];
  return `${declaration}<ListPartsResult xmlns="${namespace}">${body.join("")}</ListPartsResult>`;
}

export type CompleteRequest = { ok: true; parts: { partNumber: number; etag: string }[] } | { ok: false };

/** Reads a CompleteMultipartUpload body: `<CompleteMultipartUpload><Part><PartNumber>…<ETag>…</Part>…`. */
export function parseCompleteRequest(xml: string): CompleteRequest {
  const [complete] = elementTexts(xml, "CompleteMultipartUpload");
  if (complete === undefined) return { ok: false };
  const parts: { partNumber: number; etag: string }[] = [];
  for (const part of elementTexts(complete, "Part")) {
    const [number] = elementTexts(part, "PartNumber");
    const [etag] = elementTexts(part, "ETag");
    if (number === undefined || etag === undefined || !/^\s*\d+\s*$/.test(number)) return { ok: false };
    parts.push({ partNumber: Number(number), etag: unescapeXml(etag.trim()) });
  }
  return { ok: true, parts };
}

export function postResponseDocument(input: {
  location: string;
  bucket: string;
  key: string;
  etag: string;
}): string {
  return `${declaration}<PostResponse>${element("Location", input.location)}${element("Bucket", input.bucket)}${element("Key", input.key)}${element("ETag", input.etag)}</PostResponse>`;
}
