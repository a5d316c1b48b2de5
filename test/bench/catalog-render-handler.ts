// Bench fixture: a Lambda@Edge origin-response handler that renders a catalog variant as the resizer does
// (edge/image-render.ts), reading the art from the repository rather than S3, so the images bench times
// the local runtime's execution environments and the render alone.
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { CloudFrontLambdaEvent, CloudFrontLambdaResponse } from "../../edge/aws/lambda-edge-event.ts";
import { renderVariant } from "../../edge/image-render.ts";
import { parseVariantPath, variantContentTypes } from "../../edge/image-variants.ts";

const artFolder = join(import.meta.dirname, "../../site/catalog/art");

export async function handler(event: CloudFrontLambdaEvent): Promise<CloudFrontLambdaResponse> {
  const { request } = event.Records[0].cf;
  const variant = parseVariantPath(request.uri);
  if (!variant) throw new Error(`${request.uri} names no variant`);
  const original = await readFile(join(artFolder, basename(variant.originalPath)));
  const bytes = await renderVariant(original, variant.width, variant.format);
  return {
    status: "200",
    headers: { "content-type": [{ key: "Content-Type", value: variantContentTypes[variant.format] }] },
    body: bytes.toString("base64"),
    bodyEncoding: "base64",
  };
}
