// Who may read what in the S3 stand-in: bucket policies through the real wire API, the edge's OAC identity
// confined to the buckets whose policy names its distribution, keys with dot segments kept as keys.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { originAccessPolicy } from "../../edge/origin-access.ts";
import { localCredentials, localEdgeIdentity } from "../../infra/local/config.ts";
import { parseBucketPolicy, policyDecision, wildcardMatch } from "../../infra/local/s3/bucket-policy.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { s3Failure } from "./s3-failure.ts";
import { rawRequest, signedRequest } from "./s3-wire.ts";

const site = "goodgreets-test-site";
const images = "goodgreets-test-images";
const secret = "goodgreets-test-secret";
let root: string;
let service: RunningService;
let admin: S3Client;
let edge: S3Client;

const client = (url: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
  standInS3Client(url, { credentials, maxAttempts: 1 });

const oac = (bucket: string) => JSON.stringify(originAccessPolicy(bucket, localEdgeIdentity.distributionArn));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-access-test-"));
  service = await startS3StandIn({ dataDir: root, buckets: [site, images, secret] });
  admin = client(service.url, localCredentials);
  edge = client(service.url, localEdgeIdentity.credentials);
  for (const [bucket, key, body] of [
    [site, "index.html", "<h1>cards</h1>"],
    [images, "img/catalog/a.png", "png"],
    [secret, "private/key.txt", "the secret"],
  ] as const) {
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
  await admin.send(new PutBucketPolicyCommand({ Bucket: site, Policy: oac(site) }));
  await admin.send(new PutBucketPolicyCommand({ Bucket: images, Policy: oac(images) }));
});

afterAll(async () => {
  admin?.destroy();
  edge?.destroy();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

describe("the edge's OAC identity", () => {
  it("reads objects of the buckets whose policy names its distribution, and nothing else", async () => {
    const page = await edge.send(new GetObjectCommand({ Bucket: site, Key: "index.html" }));
    expect(await page.Body?.transformToString()).toBe("<h1>cards</h1>");
    const art = await edge.send(new GetObjectCommand({ Bucket: images, Key: "img/catalog/a.png" }));
    expect(await art.Body?.transformToString()).toBe("png");
    const other = edge.send(new GetObjectCommand({ Bucket: secret, Key: "private/key.txt" }));
    expect(await s3Failure(other)).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(await s3Failure(edge.send(new ListBucketsCommand({})))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    expect(await s3Failure(edge.send(new ListObjectsV2Command({ Bucket: site })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    const write = edge.send(new PutObjectCommand({ Bucket: site, Key: "index.html", Body: "defaced" }));
    expect(await s3Failure(write)).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(
      await s3Failure(edge.send(new DeleteObjectCommand({ Bucket: site, Key: "index.html" }))),
    ).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });

  it("gets 403 AccessDenied for a missing key, as S3 answers a caller without s3:ListBucket", async () => {
    const missing = await signedRequest(service.url, localEdgeIdentity.credentials, "GET", `/${site}/nope/`);
    expect(missing.status).toBe(403);
    expect(missing.body.toString()).toContain("<Code>AccessDenied</Code>");
    // The account's own key may list, so it learns the key is missing.
    expect(await s3Failure(admin.send(new GetObjectCommand({ Bucket: site, Key: "nope/" })))).toMatchObject({
      name: "NoSuchKey",
      status: 404,
    });
  });

  it("cannot leave its bucket by any dot-segment or encoded form of the path", async () => {
    const attempts = [
      "/..",
      "/../",
      `/${site}/..`,
      `/${site}/../${secret}/private/key.txt`,
      `/${site}/%2e%2e/${secret}/private/key.txt`,
      `/${site}/%2E%2E/${secret}/private/key.txt`,
      `/${site}/img/%2e%2e/%2e%2e/${secret}/private/key.txt`,
      `/${site}/_astro/../../${secret}/private/key.txt`,
      `/${site}/./../${secret}/private/key.txt`,
      `/${site}/%2e%2e%2f${secret}%2fprivate%2fkey.txt`,
      `/${site}/..%2f..%2f${secret}/private/key.txt`,
      `//${secret}/private/key.txt`,
      `/${site}//../${secret}/private/key.txt`,
      `/../${secret}/private/key.txt`,
    ];
    for (const path of attempts) {
      const answer = await signedRequest(service.url, localEdgeIdentity.credentials, "GET", path);
      const text = answer.body.toString();
      expect({
        path,
        leaked: text.includes("the secret") || text.includes("ListAllMyBucketsResult"),
      }).toEqual({
        path,
        leaked: false,
      });
      expect([400, 403, 404]).toContain(answer.status);
    }
  });

  it("finds keys with dot segments as keys of the bucket they were sent to", async () => {
    const put = await signedRequest(
      service.url,
      localCredentials,
      "PUT",
      `/${site}/../${secret}/x`,
      {},
      "dots",
    );
    expect(put.status).toBe(200);
    const stored = await admin.send(new GetObjectCommand({ Bucket: site, Key: `../${secret}/x` }));
    expect(await stored.Body?.transformToString()).toBe("dots");
    for (const path of [
      `/${site}/../${secret}/x`,
      `/${site}/%2e%2e/${secret}/x`,
      `/${site}/%2E%2E/${secret}%2Fx`,
    ]) {
      const answer = await signedRequest(service.url, localEdgeIdentity.credentials, "GET", path);
      expect({ path, status: answer.status, body: answer.body.toString() }).toEqual({
        path,
        status: 200,
        body: "dots",
      });
    }
    expect(await s3Failure(admin.send(new GetObjectCommand({ Bucket: secret, Key: "x" })))).toMatchObject({
      status: 404,
    });
  });
});

describe("bucket policies", () => {
  it("are put, read back and deleted through the SDK, and deleting one takes the edge's access away", async () => {
    const scratch = "goodgreets-test-scratch";
    await signedRequest(service.url, localCredentials, "PUT", `/${scratch}`);
    await admin.send(new PutObjectCommand({ Bucket: scratch, Key: "a.txt", Body: "a" }));
    expect(await s3Failure(admin.send(new GetBucketPolicyCommand({ Bucket: scratch })))).toMatchObject({
      name: "NoSuchBucketPolicy",
      status: 404,
    });
    await admin.send(new PutBucketPolicyCommand({ Bucket: scratch, Policy: oac(scratch) }));
    const read = await admin.send(new GetBucketPolicyCommand({ Bucket: scratch }));
    expect(JSON.parse(read.Policy ?? "")).toEqual(JSON.parse(oac(scratch)));
    const got = await edge.send(new GetObjectCommand({ Bucket: scratch, Key: "a.txt" }));
    expect(await got.Body?.transformToString()).toBe("a");
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: scratch }));
    expect(await s3Failure(edge.send(new GetObjectCommand({ Bucket: scratch, Key: "a.txt" })))).toMatchObject(
      {
        name: "AccessDenied",
        status: 403,
      },
    );
  });

  it("refuses malformed policies with MalformedPolicy and keeps the old one", async () => {
    const bad = [
      "{not json",
      JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      JSON.stringify({ ...originAccessPolicy(secret, "x"), Version: "2012-10-17" }),
      oac(site).replace('"Allow"', '"Maybe"'),
      oac(site).replace("StringEquals", "NumericEquals"),
      "x".repeat(21 * 1024),
    ];
    for (const Policy of bad) {
      const put = admin.send(new PutBucketPolicyCommand({ Bucket: site, Policy }));
      expect(await s3Failure(put)).toMatchObject({ name: "MalformedPolicy", status: 400 });
    }
    const page = await edge.send(new GetObjectCommand({ Bucket: site, Key: "index.html" }));
    expect(page.$metadata.httpStatusCode).toBe(200);
  });

  it("lets an explicit Deny win over the account's own rights", async () => {
    const guarded = "goodgreets-test-guarded";
    await signedRequest(service.url, localCredentials, "PUT", `/${guarded}`);
    await admin.send(new PutObjectCommand({ Bucket: guarded, Key: "keep/a.txt", Body: "a" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:Delete*", Resource: `arn:aws:s3:::${guarded}/keep/*` },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: guarded, Policy: JSON.stringify(policy) }));
    expect(
      await s3Failure(admin.send(new DeleteObjectCommand({ Bucket: guarded, Key: "keep/a.txt" }))),
    ).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    await admin.send(new DeleteObjectCommand({ Bucket: guarded, Key: "other.txt" }));
  });

  it("holds the edge to its distribution: another distribution's ARN grants nothing, a matching ArnLike does", async () => {
    const bucket = "goodgreets-test-conditions";
    await signedRequest(service.url, localCredentials, "PUT", `/${bucket}`);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: "a.txt", Body: "a" }));
    const other = originAccessPolicy(bucket, "arn:aws:cloudfront::000000000000:distribution/OTHER");
    await admin.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(other) }));
    expect(await s3Failure(edge.send(new GetObjectCommand({ Bucket: bucket, Key: "a.txt" })))).toMatchObject({
      status: 403,
    });
    const [statement] = other.Statement;
    const like = {
      Version: "2012-10-17",
      Statement: [
        {
          ...statement,
          Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::000000000000:distribution/*" } },
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(like) }));
    const got = await edge.send(new GetObjectCommand({ Bucket: bucket, Key: "a.txt" }));
    expect(await got.Body?.transformToString()).toBe("a");
  });
});

describe("addressing", () => {
  it("takes the bucket from a virtual-hosted Host header", async () => {
    const answer = await signedRequest(service.url, localCredentials, "GET", "/index.html", {
      host: `${site}.s3.localhost`,
    });
    expect({ status: answer.status, body: answer.body.toString() }).toEqual({
      status: 200,
      body: "<h1>cards</h1>",
    });
  });

  it("refuses unsigned traversal attempts before anything else", async () => {
    const answer = await rawRequest(service.url, "GET", `/${site}/../${secret}/private/key.txt`, {});
    expect(answer.status).toBe(403);
  });
});

describe("policy rules", () => {
  it("matches IAM wildcards, including on hostile patterns, without blowing up", () => {
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/../c")).toBe(true);
    expect(wildcardMatch("s3:Get*", "s3:GetObject")).toBe(true);
    expect(wildcardMatch("s3:?etObject", "s3:GetObject")).toBe(true);
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::bb/x")).toBe(false);
    expect(wildcardMatch(`${"*a".repeat(5000)}b`, "a".repeat(20_000))).toBe(false);
  });

  it("decides Allow, Deny and silence for the OAC policy the stack puts on its buckets", () => {
    const parsed = parseBucketPolicy(oac(site), site);
    if (!parsed.ok) throw new Error(parsed.message);
    const cloudfront = {
      service: "cloudfront.amazonaws.com",
      context: { "aws:sourcearn": localEdgeIdentity.distributionArn },
    };
    const object = `arn:aws:s3:::${site}/index.html`;
    expect(policyDecision(parsed.policy, cloudfront, "s3:GetObject", object)).toBe("allow");
    expect(policyDecision(parsed.policy, cloudfront, "S3:GETOBJECT", object)).toBe("allow");
    expect(policyDecision(parsed.policy, cloudfront, "s3:ListBucket", `arn:aws:s3:::${site}`)).toBe("none");
    expect(policyDecision(parsed.policy, cloudfront, "s3:PutObject", object)).toBe("none");
    const elsewhere = { ...cloudfront, context: { "aws:sourcearn": "arn:aws:cloudfront::1:distribution/X" } };
    expect(policyDecision(parsed.policy, elsewhere, "s3:GetObject", object)).toBe("none");
    expect(
      policyDecision(parsed.policy, { accountId: "000000000000", context: {} }, "s3:GetObject", object),
    ).toBe("none");
  });

  it("builds the OAC policy CloudFront documents", () => {
    expect(originAccessPolicy("b", "arn:aws:cloudfront::1:distribution/D")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowCloudFrontServicePrincipalReadOnly",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::1:distribution/D" } },
        },
      ],
    });
  });
});
