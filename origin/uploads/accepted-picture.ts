// Whether a picture the upload check accepted is in the images bucket: a card may show only a picture
// that passed the check, which is the one thing that writes under img/uploads/.
import { HeadObjectCommand, NotFound } from "@aws-sdk/client-s3";
import type { UploadDependencies } from "./upload-routes.ts";

/** `url` is the site path the check answered (/img/uploads/<uploadId>.<ext>); its key drops the "/". */
export async function isAcceptedPicture({ s3, bucket }: UploadDependencies, url: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: url.slice(1) }));
    return true;
  } catch (error) {
    // HEAD has no body, so S3's 404 reaches the SDK as NotFound (not NoSuchKey); anything else is an outage.
    if (error instanceof NotFound) return false;
    throw error;
  }
}
