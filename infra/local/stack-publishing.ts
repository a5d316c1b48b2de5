// The local stack's buckets and what goes in them: the site and images buckets made as the CDK app makes
// them (with the OAC bucket policy), the built site published to one and the catalog art to the other.
import {
  CreateBucketCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { originAccessPolicy } from "../../edge/origin-access.ts";
import { localBuckets, localEdgeIdentity } from "./config.ts";
import { publishFolder } from "./site-publisher.ts";
import { standInS3Client } from "./stand-in-clients.ts";

/** Creates the bucket when it does not exist yet, and gives it the OAC policy the CDK app gives it. */
async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const policy = originAccessPolicy(bucket, localEdgeIdentity.distributionArn);
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/** Publishes `siteFolder` and `artFolder` through the S3 stand-in at `s3Url`; says what changed. */
export async function publishSiteAndArt(
  s3Url: string,
  folders: { siteFolder: string; artFolder: string },
): Promise<string> {
  const s3 = standInS3Client(s3Url);
  try {
    await ensureBucket(s3, localBuckets.site);
    await ensureBucket(s3, localBuckets.images);
    const site = await publishFolder(s3, localBuckets.site, folders.siteFolder);
    // Object keys mirror the viewer's paths: CloudFront sends /img/… to the bucket as it is.
    const art = await publishFolder(s3, localBuckets.images, folders.artFolder, "img/catalog/");
    return (
      `site: ${site.uploaded} uploaded, ${site.unchanged} unchanged, ${site.deleted} removed; ` +
      `art: ${art.uploaded} uploaded, ${art.unchanged} unchanged, ${art.deleted} removed`
    );
  } finally {
    s3.destroy();
  }
}
