// Deletes an accepted picture from the images bucket: its original (img/uploads/<id>.<ext>) and every
// variant the edge rendered from it under "<key>/" (edge/image-variants.ts variantPath).
import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { UploadDependencies } from "./upload-routes.ts";

/** DeleteObjects takes at most 1,000 keys per request. */
const deleteBatch = 1000;

async function deleteKeys({ s3, bucket }: UploadDependencies, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += deleteBatch) {
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(start, start + deleteBatch).map((Key) => ({ Key })), Quiet: true },
      }),
    );
    // DeleteObjects answers 200 with a per-key error list: a key it could not delete is a failure.
    const [failed] = result.Errors ?? [];
    if (failed) throw new Error(`S3 did not delete ${failed.Key}: ${failed.Code} ${failed.Message}`);
  }
}

/**
 * `url` is the card's upload_url (/img/uploads/<uploadId>.<ext>). The original goes first, so the edge's
 * resizer can render no new variant from it while the variants are listed and deleted. Deleting a key
 * already gone succeeds, so running this again finishes an interrupted removal.
 */
export async function removeUpload(uploads: UploadDependencies, url: string): Promise<void> {
  const key = url.slice(1);
  await deleteKeys(uploads, [key]);
  let token: string | undefined;
  do {
    const page = await uploads.s3.send(
      new ListObjectsV2Command({ Bucket: uploads.bucket, Prefix: `${key}/`, ContinuationToken: token }),
    );
    await deleteKeys(
      uploads,
      (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])),
    );
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
