// The real AWS SDK v3 clients aimed at a local stand-in: its URL as the endpoint, the local Region, and the
// stack's own credentials unless the caller brings others (a test of a refused signature, say).
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { localCredentials, localRegion } from "./config.ts";

export interface StandInClientOptions {
  credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** 1 where a refusal is the point: the SDK would otherwise retry a 5xx or a throttle. */
  maxAttempts?: number;
}

/** The configuration every SDK client shares; spread it into one this module does not make. */
export function standInClientConfig(url: string, options: StandInClientOptions = {}) {
  return {
    endpoint: url,
    region: localRegion,
    credentials: options.credentials ?? localCredentials,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

/** Path-style: the stand-in's loopback URL has no per-bucket host names to address a bucket by. */
export function standInS3Client(url: string, options?: StandInClientOptions): S3Client {
  return new S3Client({ ...standInClientConfig(url, options), forcePathStyle: true });
}

export function standInCloudFrontClient(url: string, options?: StandInClientOptions): CloudFrontClient {
  return new CloudFrontClient(standInClientConfig(url, options));
}
