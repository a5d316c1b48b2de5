// The CloudFront API stand-in with the real CloudFrontClient, the AWS CLI and boto3: invalidations are made,
// read back and listed, applied to a local edge cache (exact paths, a trailing '*', query strings as
// CloudFront matches them), and what CloudFront refuses is refused with its error codes.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  InconsistentQuantities,
  InvalidArgument,
  ListInvalidationsCommand,
  NoSuchDistribution,
  NoSuchInvalidation,
  TooManyInvalidationsInProgress,
} from "@aws-sdk/client-cloudfront";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardData } from "../../edge/distribution.ts";
import {
  type CloudFrontApiStandIn,
  startCloudFrontApiStandIn,
} from "../../infra/local/cloudfront-api/server.ts";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { cacheKey } from "../../infra/local/edge/cache-policy.ts";
import { EdgeCache } from "../../infra/local/edge/edge-cache.ts";
import { standInCloudFrontClient } from "../../infra/local/stand-in-clients.ts";

const distributionId = "E2TESTDISTRIB1";
const cache = new EdgeCache();
let standIn: CloudFrontApiStandIn;
let client: CloudFrontClient;

/** A cache key as the edge makes it for a GET of `uri?query`, with all query strings in the key. */
const keyOf = (uri: string, rawQuery = "", encoding = "gzip") =>
  cacheKey(
    { ...cardData, queryStrings: { behavior: "all" } },
    { method: "GET", uri, rawQuery, headers: [["accept-encoding", encoding]] },
  );

function store(key: string) {
  cache.set(key, {
    status: 200,
    statusText: "OK",
    headers: [],
    body: Buffer.from("x"),
    storedAtMs: 0,
    ttlSeconds: 60,
    originValidators: {},
    staleWhileRevalidateSeconds: 0,
    staleIfErrorSeconds: 0,
  });
}

const batch = (paths: string[], callerReference = `ref-${Math.random()}`) => ({
  DistributionId: distributionId,
  InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
});

beforeAll(async () => {
  standIn = await startCloudFrontApiStandIn({
    distributions: { [distributionId]: (paths) => cache.invalidate(paths) },
  });
  client = standInCloudFrontClient(standIn.url);
});

afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});

const cliEnv = () => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  AWS_DEFAULT_REGION: localRegion,
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
});

describe("the CloudFront API stand-in", () => {
  it("invalidates exact paths, wildcard prefixes and query-string versions, and keeps the rest", async () => {
    for (const key of [
      keyOf("/api/cards/one"),
      keyOf("/api/cards/one", "", "br"),
      keyOf("/api/cards/one", "v=2"),
      keyOf("/api/cards/one/organiser"),
      keyOf("/img/uploads/abc.jpg"),
      keyOf("/img/uploads/abc.jpg/w640.avif"),
      keyOf("/img/uploads/abd.jpg"),
      keyOf("/s/sign"),
    ])
      store(key);
    const created = await client.send(
      new CreateInvalidationCommand(batch(["/api/cards/one", "/img/uploads/abc.jpg*"])),
    );
    expect(created.Location).toBe(
      `${standIn.url}/2020-05-31/distribution/${distributionId}/invalidation/${created.Invalidation?.Id}`,
    );
    expect(created.Invalidation).toMatchObject({
      Id: expect.stringMatching(/^I[A-Z0-9]{13}$/),
      Status: "Completed",
      InvalidationBatch: { Paths: { Quantity: 2, Items: ["/api/cards/one", "/img/uploads/abc.jpg*"] } },
    });
    // Every encoding of the exact path goes; the query-string version stays (it needs its own path or a '*').
    expect(cache.get(keyOf("/api/cards/one"))).toBeUndefined();
    expect(cache.get(keyOf("/api/cards/one", "", "br"))).toBeUndefined();
    expect(cache.get(keyOf("/api/cards/one", "v=2"))).toBeDefined();
    expect(cache.get(keyOf("/api/cards/one/organiser"))).toBeDefined();
    expect(cache.get(keyOf("/img/uploads/abc.jpg"))).toBeUndefined();
    expect(cache.get(keyOf("/img/uploads/abc.jpg/w640.avif"))).toBeUndefined();
    expect(cache.get(keyOf("/img/uploads/abd.jpg"))).toBeDefined();
    await client.send(new CreateInvalidationCommand(batch(["/api/cards/one?v=2"])));
    expect(cache.get(keyOf("/api/cards/one", "v=2"))).toBeUndefined();

    const read = await client.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: created.Invalidation?.Id }),
    );
    expect(read.Invalidation).toEqual(created.Invalidation);
    const listed = await client.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 1 }),
    );
    expect(listed.InvalidationList).toMatchObject({ IsTruncated: true, Quantity: 1, MaxItems: 1 });
    const next = await client.send(
      new ListInvalidationsCommand({
        DistributionId: distributionId,
        Marker: listed.InvalidationList?.NextMarker,
      }),
    );
    expect(next.InvalidationList?.Items?.map((item) => item.Id)).toContain(created.Invalidation?.Id);
  });

  it("answers a repeated CallerReference with the first invalidation, and refuses it with other paths", async () => {
    const first = await client.send(new CreateInvalidationCommand(batch(["/a"], "same-ref")));
    const again = await client.send(new CreateInvalidationCommand(batch(["/a"], "same-ref")));
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    await expect(client.send(new CreateInvalidationCommand(batch(["/b"], "same-ref")))).rejects.toMatchObject(
      {
        name: "InvalidationBatchAlreadyExists",
        $metadata: { httpStatusCode: 409 },
      },
    );
  });

  it("refuses what CloudFront refuses, with its error codes", async () => {
    const refusal = (input: ReturnType<typeof batch>) => client.send(new CreateInvalidationCommand(input));
    await expect(refusal({ ...batch(["/a"]), DistributionId: "E2NOSUCHDISTRO" })).rejects.toBeInstanceOf(
      NoSuchDistribution,
    );
    await expect(refusal(batch(["images/a.jpg"]))).rejects.toBeInstanceOf(InvalidArgument);
    await expect(refusal(batch(["/images/*.jpg"]))).rejects.toBeInstanceOf(InvalidArgument);
    await expect(refusal(batch([`/${"a".repeat(4000)}`]))).rejects.toBeInstanceOf(InvalidArgument);
    const mismatch = batch(["/a", "/b"]);
    mismatch.InvalidationBatch.Paths.Quantity = 3;
    await expect(refusal(mismatch)).rejects.toBeInstanceOf(InconsistentQuantities);
    const wildcards = Array.from({ length: 16 }, (_, index) => `/w${index}/*`);
    await expect(refusal(batch(wildcards))).rejects.toBeInstanceOf(TooManyInvalidationsInProgress);
    const files = Array.from({ length: 3001 }, (_, index) => `/f${index}`);
    await expect(refusal(batch(files))).rejects.toBeInstanceOf(TooManyInvalidationsInProgress);
    await expect(refusal(batch(files.slice(0, 3000)))).resolves.toMatchObject({
      Invalidation: { Status: "Completed" },
    });
    await expect(
      client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: "I0000000000000" })),
    ).rejects.toBeInstanceOf(NoSuchInvalidation);
    for (const [credentials, code] of [
      [{ ...localCredentials, secretAccessKey: "wrong" }, "SignatureDoesNotMatch"],
      [{ accessKeyId: "AKIDSTRANGER", secretAccessKey: "x" }, "InvalidClientTokenId"],
    ] as const) {
      const stranger = standInCloudFrontClient(standIn.url, { credentials });
      await expect(stranger.send(new CreateInvalidationCommand(batch(["/a"])))).rejects.toMatchObject({
        name: code,
        $metadata: { httpStatusCode: 403 },
      });
      stranger.destroy();
    }
  });

  it("refuses an empty body (MissingBody) and one that is not an InvalidationBatch (MalformedInput)", async () => {
    const url = new URL(`/2020-05-31/distribution/${distributionId}/invalidation`, standIn.url);
    const signer = new SignatureV4({
      service: "cloudfront",
      region: localRegion,
      credentials: localCredentials,
      sha256: Sha256,
    });
    for (const [body, code] of [
      ["", "MissingBody"],
      ["<Paths><Quantity>1</Quantity></Paths>", "MalformedInput"],
    ]) {
      const signed = await signer.sign({
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, "content-type": "application/xml" },
        body,
      });
      const answer = await fetch(url, {
        method: "POST",
        headers: signed.headers as Record<string, string>,
        body,
      });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain(`<Code>${code}</Code>`);
    }
  });

  it("works with the AWS CLI", { timeout: 60_000 }, async () => {
    store(keyOf("/cli/one"));
    const run = (args: string[]) =>
      promisify(execFile)("aws", ["cloudfront", ...args, "--endpoint-url", standIn.url], { env: cliEnv() });
    const created = JSON.parse(
      (await run(["create-invalidation", "--distribution-id", distributionId, "--paths", "/cli/*"])).stdout,
    ) as { Location: string; Invalidation: { Id: string; Status: string } };
    expect(created.Invalidation.Status).toBe("Completed");
    expect(cache.get(keyOf("/cli/one"))).toBeUndefined();
    const read = JSON.parse(
      (await run(["get-invalidation", "--distribution-id", distributionId, "--id", created.Invalidation.Id]))
        .stdout,
    ) as { Invalidation: { InvalidationBatch: { Paths: { Items: string[] } } } };
    expect(read.Invalidation.InvalidationBatch.Paths.Items).toEqual(["/cli/*"]);
    const listed = JSON.parse(
      (await run(["list-invalidations", "--distribution-id", distributionId])).stdout,
    ) as {
      InvalidationList: { Items: { Id: string }[] };
    };
    expect(listed.InvalidationList.Items[0]?.Id).toBe(created.Invalidation.Id);
    await expect(
      run(["create-invalidation", "--distribution-id", distributionId, "--paths", "cli/no-slash"]),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("InvalidArgument") });
  });

  it("works with boto3", { timeout: 60_000 }, async () => {
    store(keyOf("/boto/one"));
    const script = `
import json, sys, boto3, botocore
cf = boto3.client("cloudfront", endpoint_url=sys.argv[1])
made = cf.create_invalidation(DistributionId=sys.argv[2], InvalidationBatch={
  "CallerReference": "boto-1", "Paths": {"Quantity": 1, "Items": ["/boto/one"]}})
codes = []
for items, quantity in ((["/x"], 2), (["/a*b"], 1)):
  try:
    cf.create_invalidation(DistributionId=sys.argv[2], InvalidationBatch={
      "CallerReference": "boto-bad-%d" % len(codes), "Paths": {"Quantity": quantity, "Items": items}})
  except botocore.exceptions.ClientError as error:
    codes.append([error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]])
got = cf.get_invalidation(DistributionId=sys.argv[2], Id=made["Invalidation"]["Id"])
print(json.dumps({"status": got["Invalidation"]["Status"], "location": made["Location"], "codes": codes}))
`;
    const { stdout } = await promisify(execFile)("python3", ["-c", script, standIn.url, distributionId], {
      env: cliEnv(),
    });
    const result = JSON.parse(stdout) as { status: string; location: string; codes: [string, number][] };
    expect(result.status).toBe("Completed");
    expect(result.location).toContain(`/2020-05-31/distribution/${distributionId}/invalidation/I`);
    expect(result.codes).toEqual([
      ["InconsistentQuantities", 400],
      ["InvalidArgument", 400],
    ]);
    expect(cache.get(keyOf("/boto/one"))).toBeUndefined();
  });
});
