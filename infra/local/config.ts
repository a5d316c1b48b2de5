// Embedded defaults of the one-machine stack: where it listens and the stand-in identities it uses.
// None of these are secrets: the stand-ins only run on loopback and accept exactly these values.
import { join } from "node:path";

export const localRegion = "us-east-1";

/** Credentials the local stand-ins accept and the SDK clients sign with. */
export const localCredentials = {
  accessKeyId: "AKIDGOODGREETSLOCAL",
  secretAccessKey: "goodgreets-local-stand-in-secret-key",
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

export const localPorts = {
  edge: Number(process.env.PORT ?? 8080),
  s3: 9000,
  dataApi: 9001,
  functionUrl: 9002,
} as const;

/** Everything the stack keeps across restarts lives here (git-ignored). */
export const localDataDir = process.env.GOODGREETS_DATA_DIR ?? join(import.meta.dirname, "../../data");
