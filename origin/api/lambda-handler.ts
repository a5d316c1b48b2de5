// The API Lambda's entry point in AWS: configuration read from the environment once per execution
// environment, then every function URL invocation goes to the handler built from it.
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { createDatabase } from "../db/data-api.ts";
import { cloudFrontEdgeCache } from "../edge-cache/cloudfront-edge-cache.ts";
import { schedulerCardSchedules } from "../schedules/card-schedules.ts";
import { createApiHandler } from "./handler.ts";

/**
 * The built sign page (dist/site/s/index.html), baked in by the bundle's esbuild `define`: Lambda has
 * no site files, and environment variables hold only 4 KB. Without it, /s/<signId> is not served.
 */
declare const GOODGREETS_SIGN_SHELL: string | undefined;
const signShell = typeof GOODGREETS_SIGN_SHELL === "string" ? GOODGREETS_SIGN_SHELL : undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const handler = createApiHandler({
  database: createDatabase({
    resourceArn: required("DATABASE_RESOURCE_ARN"),
    secretArn: required("DATABASE_SECRET_ARN"),
    database: required("DATABASE_NAME"),
  }),
  // Set by the deploy from package.json: a bundle has no package.json to read.
  version: required("GOODGREETS_VERSION"),
  schedules: schedulerCardSchedules(new SchedulerClient({}), {
    groupName: required("SCHEDULE_GROUP_NAME"),
    functionArn: required("DELIVERY_FUNCTION_ARN"),
    roleArn: required("SCHEDULER_ROLE_ARN"),
    deadLetterQueueArn: required("DELIVERY_DEAD_LETTER_QUEUE_ARN"),
  }),
  // The distribution in front of this API: a deleted card is invalidated there. Required, because without
  // it a delivered card would stay at the edge for a year after its deletion.
  edgeCache: cloudFrontEdgeCache(new CloudFrontClient({}), required("CLOUDFRONT_DISTRIBUTION_ID")),
  // The images bucket: upload grants are presigned POSTs into it, and checked pictures are moved within it.
  uploads: { s3: new S3Client({}), bucket: required("GOODGREETS_IMAGES_BUCKET") },
  // The site's public origin for the sign page's preview tags, as the delivery Lambda has it.
  ...(signShell === undefined
    ? {}
    : { signShell: { html: signShell, siteUrl: required("GOODGREETS_SITE_URL") } }),
});
