// The edge cache as CloudFront: one CreateInvalidation per call, for the distribution the API sits behind
// (in AWS its id comes from the API Lambda's environment; locally the CloudFront API stand-in's).
import { randomUUID } from "node:crypto";
import { type CloudFrontClient, CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import type { EdgeCache } from "./edge-cache.ts";

export function cloudFrontEdgeCache(client: CloudFrontClient, distributionId: string): EdgeCache {
  return {
    async invalidate(paths) {
      if (paths.length === 0) return;
      // A new CallerReference per call: CloudFront refuses a reused one with other paths, and answers a reused
      // one with the same paths by the earlier invalidation. The SDK's own retries resend this same command,
      // so a retry after a lost answer cannot make a second invalidation.
      // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html
      await client.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: randomUUID(),
            Paths: { Quantity: paths.length, Items: [...paths] },
          },
        }),
      );
    },
  };
}
