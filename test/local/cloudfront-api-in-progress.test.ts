// The CloudFront API stand-in keeping invalidations InProgress for a while (on an injected clock), so the
// limits on paths in progress per distribution hold across invalidations: 15 wildcard paths, 3,000 file
// paths. Deleting cards with pictures invalidates exact paths only, so many such deletes fit at once.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
import { randomUUID } from "node:crypto";
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  TooManyInvalidationsInProgress,
} from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudFrontApiStandIn,
  startCloudFrontApiStandIn,
} from "../../infra/local/cloudfront-api/server.ts";
import { standInCloudFrontClient } from "../../infra/local/stand-in-clients.ts";
import { cardCachePaths } from "../../origin/edge-cache/card-paths.ts";

const distributionId = "E2INPROGRESS01";
const inProgressMs = 5 * 60_000;
let clock = 1_700_000_000_000;
let standIn: CloudFrontApiStandIn;
let client: CloudFrontClient;

const create = (paths: string[]) =>
  client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: randomUUID(),
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );

beforeAll(async () => {
  standIn = await startCloudFrontApiStandIn({
    distributions: { [distributionId]: () => {} },
    inProgressMs,
    now: () => clock,
  });
  client = standInCloudFrontClient(standIn.url);
});

afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});

describe("invalidations in progress", () => {
  it("count towards the limits until they complete", async () => {
    const wildcards = await create(Array.from({ length: 15 }, (_, index) => `/w${index}/*`));
    expect(wildcards.Invalidation?.Status).toBe("InProgress");
    await expect(create(["/one-more/*"])).rejects.toBeInstanceOf(TooManyInvalidationsInProgress);

    // A hundred deletes of delivered cards with pictures at once: exact paths only, so they all fit.
    for (let card = 0; card < 100; card += 1) {
      const paths = cardCachePaths({
        id: `card${card}`,
        signId: `sign${card}`,
        status: "sent",
        uploadUrl: `/img/uploads/Picture${card}.jpg`,
      });
      expect(paths.some((path) => path.includes("*"))).toBe(false);
      await expect(create(paths)).resolves.toMatchObject({ Invalidation: { Status: "InProgress" } });
    }
    // 2,400 file paths in progress: 601 more would pass 3,000.
    await expect(create(Array.from({ length: 601 }, (_, index) => `/f${index}`))).rejects.toBeInstanceOf(
      TooManyInvalidationsInProgress,
    );

    clock += inProgressMs - 1;
    await expect(create(["/one-more/*"])).rejects.toBeInstanceOf(TooManyInvalidationsInProgress);
    clock += 1;
    const id = wildcards.Invalidation?.Id;
    await expect(
      client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id })),
    ).resolves.toMatchObject({ Invalidation: { Status: "Completed" } });
    await expect(create(["/one-more/*"])).resolves.toMatchObject({ Invalidation: { Status: "InProgress" } });
    expect(standIn.invalidations(distributionId).filter((item) => item.status === "InProgress")).toHaveLength(
      1,
    );
  });
});
