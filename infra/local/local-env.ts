// data/local.env: the standard AWS SDK settings for the running stack (endpoints, credentials, region) and
// the names of its resources, so `set -a; . data/local.env` points the AWS CLI, boto3 or any SDK at it.
import { rename, writeFile } from "node:fs/promises";
import { localBuckets, localCredentials, localDatabase, localDistributionId, localRegion } from "./config.ts";

export interface RunningEndpoints {
  edge: string;
  s3: string;
  dataApi: string;
  scheduler: string;
  ses: string;
  cloudfront: string;
}

/** Where the running stack's site (the local edge) answers; `npm run burst` reads it back. */
export const siteUrlVariable = "GOODGREETS_SITE_URL";

/** The variables in file order. Service endpoints use the SDKs' AWS_ENDPOINT_URL_<SERVICE> names. */
export function localEnvironment(endpoints: RunningEndpoints): [string, string][] {
  return [
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
    ["AWS_ENDPOINT_URL_S3", endpoints.s3],
    ["AWS_ENDPOINT_URL_RDS_DATA", endpoints.dataApi],
    ["AWS_ENDPOINT_URL_SCHEDULER", endpoints.scheduler],
    ["AWS_ENDPOINT_URL_SESV2", endpoints.ses],
    ["AWS_ENDPOINT_URL_CLOUDFRONT", endpoints.cloudfront],
    ["AWS_ACCESS_KEY_ID", localCredentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", localCredentials.secretAccessKey],
    ["AWS_REGION", localRegion],
    // boto3 and the AWS CLI v1 read this one, not AWS_REGION.
    ["AWS_DEFAULT_REGION", localRegion],
    [siteUrlVariable, endpoints.edge],
    ["GOODGREETS_SITE_BUCKET", localBuckets.site],
    ["GOODGREETS_IMAGES_BUCKET", localBuckets.images],
    // The names the API Lambda reads its database from.
    ["DATABASE_RESOURCE_ARN", localDatabase.resourceArn],
    ["DATABASE_SECRET_ARN", localDatabase.secretArn],
    ["DATABASE_NAME", localDatabase.database],
    // The distribution the API invalidates a deleted card in: aws cloudfront list-invalidations --distribution-id …
    ["CLOUDFRONT_DISTRIBUTION_ID", localDistributionId],
  ];
}

// Values are written bare, so the file reads the same to a shell, Docker's --env-file and dotenv parsers.
const bare = /^[A-Za-z0-9_.:/@+=,%-]*$/;

export function formatEnvFile(variables: readonly [string, string][]): string {
  const lines = variables.map(([name, value]) => {
    if (!bare.test(value)) throw new Error(`${name} has a value that needs quoting: ${value}`);
    return `${name}=${value}`;
  });
  return `# Written by npm start for the running local stack. Use: set -a; . data/local.env; set +a\n${lines.join("\n")}\n`;
}

/** Replaces `path` whole, so a reader never sees half a file. */
export async function writeLocalEnv(path: string, variables: readonly [string, string][]): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, formatEnvFile(variables), { mode: 0o600 });
  await rename(partial, path);
}
