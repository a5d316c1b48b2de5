// Embedded defaults of the one-machine stack: where it listens and the stand-in identities it uses.
// None of these are secrets: the stand-ins only run on loopback and accept exactly these values.
import { join } from "node:path";

export const localRegion = "us-east-1";

/** Credentials the local stand-ins accept and the SDK clients sign with. */
export const localCredentials = {
  accessKeyId: "AKIDGOODGREETSLOCAL",
  secretAccessKey: "goodgreets-local-stand-in-secret-key",
} as const;

/** The account the local stand-ins pretend to be (S3 owner, ARNs). */
export const localAccountId = "000000000000";

/**
 * The local distribution as the CloudFront API names it: the id invalidations are sent to (in AWS the API
 * Lambda reads it from its environment). CloudFront ids are 13–14 upper-case letters and digits.
 */
export const localDistributionId = "E2GOODGREETSLC";

/**
 * The local edge's own signing identity: what CloudFront's service principal is to S3 under Origin Access
 * Control, signing on behalf of one distribution. It may do only what bucket policies grant it.
 */
export const localEdgeIdentity = {
  credentials: {
    accessKeyId: "AKIDGOODGREETSEDGE",
    secretAccessKey: "goodgreets-local-edge-signing-secret",
  },
  servicePrincipal: "cloudfront.amazonaws.com",
  distributionArn: `arn:aws:cloudfront::${localAccountId}:distribution/${localDistributionId}`,
} as const;

/** The Aurora cluster and its Secrets Manager secret as the Data API names them. */
export const localDatabase = {
  resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:goodgreets-local",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:goodgreets-local-db",
  database: "goodgreets",
} as const;

export const localBuckets = {
  site: "goodgreets-local-site",
  images: "goodgreets-local-images",
} as const;

/** Everything the stack keeps across restarts lives here (git-ignored). */
export const localDataDir = process.env.GOODGREETS_DATA_DIR ?? join(import.meta.dirname, "../../data");
