// The CloudFront API's XML answers for invalidations (REST-XML, API version 2020-05-31): an Invalidation,
// an InvalidationList and the ErrorResponse every failure carries.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html
import { escapeXml } from "../s3/xml.ts";
import type { InvalidationBatch } from "./invalidation-rules.ts";

export const apiVersion = "2020-05-31";
const namespace = `http://cloudfront.amazonaws.com/doc/${apiVersion}/`;
const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface StoredInvalidation {
  id: string;
  status: "InProgress" | "Completed";
  createTime: string;
  batch: InvalidationBatch;
}

const text = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

function invalidationBody(invalidation: StoredInvalidation): string {
  const { paths, callerReference } = invalidation.batch;
  return (
    text("Id", invalidation.id) +
    text("Status", invalidation.status) +
    text("CreateTime", invalidation.createTime) +
    `<InvalidationBatch><Paths>${text("Quantity", String(paths.length))}<Items>${paths
      .map((path) => text("Path", path))
      .join("")}</Items></Paths>${text("CallerReference", callerReference)}</InvalidationBatch>`
  );
}

export function invalidationDocument(invalidation: StoredInvalidation): string {
  return `${declaration}<Invalidation xmlns="${namespace}">${invalidationBody(invalidation)}</Invalidation>`;
}

export function invalidationListDocument(page: {
  marker: string;
  maxItems: number;
  items: readonly StoredInvalidation[];
  nextMarker: string | undefined;
}): string {
  const summaries = page.items
    .map(
      (item) =>
        `<InvalidationSummary>${text("Id", item.id)}${text("CreateTime", item.createTime)}${text("Status", item.status)}</InvalidationSummary>`,
    )
    .join("");
  return (
    `${declaration}<InvalidationList xmlns="${namespace}">${text("Marker", page.marker)}` +
    (page.nextMarker === undefined ? "" : text("NextMarker", page.nextMarker)) +
    `${text("MaxItems", String(page.maxItems))}${text("IsTruncated", String(page.nextMarker !== undefined))}` +
    `${text("Quantity", String(page.items.length))}<Items>${summaries}</Items></InvalidationList>`
  );
}

/** CloudFront's error body: the code SDKs map to an exception, inside ErrorResponse/Error. */
export function errorDocument(code: string, message: string, requestId: string): string {
  return `${declaration}<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type>${text("Code", code)}${text("Message", message)}</Error>${text("RequestId", requestId)}</ErrorResponse>`;
}
