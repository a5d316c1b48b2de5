import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CORSRule,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials } from "../../infra/local/config.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { runTool, toolEnvironment } from "../local/aws-tools.ts";
import { s3Failure } from "../local/s3-failure.ts";
import { rawRequest, signedRequest } from "../local/s3-wire.ts";

const bucket = "goodgreets-test-cors";
const site = "https://cards.example";
let root: string;
let service: RunningService;
let s3: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-cors-test-"));
  service = await startS3StandIn({ dataDir: join(root, "data"), buckets: [bucket, "goodgreets-test-bare"] });
  s3 = standInS3Client(service.url, { maxAttempts: 1 });
});

afterAll(async () => {
  s3?.destroy();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

const uploadRule = {
  ID: "upload-form",
  AllowedOrigins: [site],
  AllowedMethods: ["POST"],
  AllowedHeaders: ["x-amz-*", "content-type"],
  ExposeHeaders: ["ETag"],
  MaxAgeSeconds: 600,
};
const readRule = { AllowedOrigins: ["*"], AllowedMethods: ["GET", "HEAD"] };
const putCors = (rules: CORSRule[], on = bucket) =>
  s3.send(new PutBucketCorsCommand({ Bucket: on, CORSConfiguration: { CORSRules: rules } }));

const preflight = (path: string, headers: Record<string, string>) =>
  rawRequest(service.url, "OPTIONS", path, headers);
const header = (answer: { headers: Record<string, string | string[] | undefined> }, name: string) =>
  answer.headers[name];

describe("bucket CORS configuration", () => {
  it("is put, read back as it was put, and deleted", async () => {
    expect(await s3Failure(s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).toMatchObject({
      name: "NoSuchCORSConfiguration",
      status: 404,
    });
    await putCors([uploadRule, readRule]);
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(got.CORSRules).toEqual([uploadRule, { ...readRule }]);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    expect((await s3Failure(s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).name).toBe(
      "NoSuchCORSConfiguration",
    );
  });

  it("refuses what S3 refuses: unknown methods, two wildcards, no rules, no integrity header", async () => {
    expect(await s3Failure(putCors([{ AllowedOrigins: [site], AllowedMethods: ["PATCH"] }]))).toMatchObject({
      name: "InvalidRequest",
      status: 400,
      message: "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
    });
    expect(
      await s3Failure(putCors([{ AllowedOrigins: ["https://*.cards.*"], AllowedMethods: ["GET"] }])),
    ).toMatchObject({ name: "InvalidRequest", message: expect.stringContaining("more than one wildcard") });
    expect(await s3Failure(putCors([]))).toMatchObject({ name: "MalformedXML", status: 400 });
    const tooMany = Array.from({ length: 101 }, () => readRule);
    expect((await s3Failure(putCors(tooMany))).name).toBe("MalformedXML");
    const xml = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`;
    const unprotected = await signedRequest(service.url, localCredentials, "PUT", `/${bucket}?cors`, {}, xml);
    expect(unprotected.status).toBe(400);
    expect(unprotected.body.toString()).toContain("Missing required header for this request: Content-MD5");
  });
});

describe("preflight and actual cross-origin requests", () => {
  it("answers a preflight the first matching rule allows, with S3's Access-Control-* headers", async () => {
    await putCors([uploadRule, readRule]);
    const allowed = await preflight(`/${bucket}`, {
      origin: site,
      "access-control-request-method": "POST",
      "access-control-request-headers": "Content-Type, X-Amz-Date",
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.length).toBe(0);
    expect(header(allowed, "access-control-allow-origin")).toBe(site);
    expect(header(allowed, "access-control-allow-methods")).toBe("POST");
    expect(header(allowed, "access-control-allow-headers")).toBe("content-type, x-amz-date");
    expect(header(allowed, "access-control-expose-headers")).toBe("ETag");
    expect(header(allowed, "access-control-max-age")).toBe("600");
    expect(header(allowed, "access-control-allow-credentials")).toBe("true");
    expect(header(allowed, "vary")).toMatch(/^Origin, /);

    // The second rule: any origin may read; S3 then answers "*" and no credentials.
    const anyone = await preflight(`/${bucket}/img/a.jpg`, {
      origin: "https://elsewhere.example",
      "access-control-request-method": "GET",
    });
    expect([anyone.status, header(anyone, "access-control-allow-origin")]).toEqual([200, "*"]);
    expect(header(anyone, "access-control-allow-credentials")).toBeUndefined();
  });

  it.each([
    ["an origin no rule names", { origin: "https://evil.example", "access-control-request-method": "POST" }],
    ["a method no rule allows", { origin: site, "access-control-request-method": "DELETE" }],
    [
      "a header no rule allows",
      {
        origin: site,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    ],
  ])("refuses a preflight with %s: 403 AccessForbidden, no Access-Control-* header", async (_, headers) => {
    await putCors([uploadRule, readRule]);
    const refused = await preflight(`/${bucket}/uploads/x`, headers);
    expect(refused.status).toBe(403);
    const body = refused.body.toString();
    expect(body).toContain("<Code>AccessForbidden</Code>");
    expect(body).toContain("CORSResponse: This CORS request is not allowed.");
    expect(body).toContain("<ResourceType>OBJECT</ResourceType>");
    expect(Object.keys(refused.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });

  it("refuses a preflight without Origin or method (400), and on a bucket without CORS (403)", async () => {
    const noOrigin = await preflight(`/${bucket}`, { "access-control-request-method": "POST" });
    expect([noOrigin.status, noOrigin.body.toString()]).toEqual([
      400,
      expect.stringContaining("Insufficient information. Origin request header needed."),
    ]);
    const noMethod = await preflight(`/${bucket}`, { origin: site });
    expect([noMethod.status, noMethod.body.toString()]).toEqual([
      400,
      expect.stringContaining("Invalid Access-Control-Request-Method: null"),
    ]);
    const bare = await preflight("/goodgreets-test-bare/k", {
      origin: site,
      "access-control-request-method": "GET",
    });
    expect([bare.status, bare.body.toString()]).toEqual([
      403,
      expect.stringContaining("CORSResponse: CORS is not enabled for this bucket."),
    ]);
    const missing = await preflight("/goodgreets-no-such-bucket", {
      origin: site,
      "access-control-request-method": "GET",
    });
    expect(missing.status).toBe(404);
  });

  it("adds the matching rule's headers to actual answers, errors included, and none for other origins", async () => {
    await putCors([uploadRule, readRule]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "img/a.txt", Body: "hello" }));
    const read = await signedRequest(service.url, localCredentials, "GET", `/${bucket}/img/a.txt`, {
      origin: "https://anyone.example",
    });
    expect([read.status, header(read, "access-control-allow-origin")]).toEqual([200, "*"]);
    const missing = await signedRequest(service.url, localCredentials, "GET", `/${bucket}/img/none.txt`, {
      origin: "https://anyone.example",
    });
    expect([missing.status, header(missing, "access-control-allow-origin")]).toEqual([404, "*"]);
    // A form POST from the site: refused for its missing fields, readable by the page all the same.
    const post = await rawRequest(
      service.url,
      "POST",
      `/${bucket}`,
      {
        origin: site,
        "content-type": "multipart/form-data; boundary=x",
      },
      "--x--\r\n",
    );
    expect(post.status).toBe(400);
    expect(header(post, "access-control-allow-origin")).toBe(site);
    expect(header(post, "access-control-expose-headers")).toBe("ETag");
    const stranger = await rawRequest(
      service.url,
      "POST",
      `/${bucket}`,
      {
        origin: "https://evil.example",
        "content-type": "multipart/form-data; boundary=x",
      },
      "--x--\r\n",
    );
    expect(header(stranger, "access-control-allow-origin")).toBeUndefined();
  });

  it("keeps the configuration across a restart", async () => {
    await putCors([uploadRule]);
    await service.close();
    service = await startS3StandIn({ dataDir: join(root, "data"), port: Number(new URL(service.url).port) });
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(got.CORSRules).toEqual([uploadRule]);
  });
});

describe("clients this project did not write", () => {
  const tool = (command: string, args: string[]) =>
    runTool(command, args, toolEnvironment(root, { AWS_ENDPOINT_URL_S3: service.url }));

  it("`aws s3api put-bucket-cors` / `get-bucket-cors` / `delete-bucket-cors`", {
    timeout: 60_000,
  }, async () => {
    const configuration = JSON.stringify({ CORSRules: [uploadRule] });
    await tool("aws", [
      "s3api",
      "put-bucket-cors",
      "--bucket",
      bucket,
      "--cors-configuration",
      configuration,
    ]);
    const got = JSON.parse(await tool("aws", ["s3api", "get-bucket-cors", "--bucket", bucket]));
    expect(got.CORSRules).toEqual([uploadRule]);
    await tool("aws", ["s3api", "delete-bucket-cors", "--bucket", bucket]);
    await expect(tool("aws", ["s3api", "get-bucket-cors", "--bucket", bucket])).rejects.toThrow(
      /NoSuchCORSConfiguration/,
    );
  });

  it("boto3 puts, reads and deletes a CORS configuration, and sees S3's errors", {
    timeout: 60_000,
  }, async () => {
    const script = `
import boto3, botocore
s3 = boto3.client("s3")
s3.put_bucket_cors(Bucket="${bucket}", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["${site}"], "AllowedMethods": ["POST", "GET"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 60}]})
rules = s3.get_bucket_cors(Bucket="${bucket}")["CORSRules"]
assert rules == [{"AllowedOrigins": ["${site}"], "AllowedMethods": ["POST", "GET"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 60}], rules
try:
    s3.put_bucket_cors(Bucket="${bucket}", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["TRACE"]}]})
    raise SystemExit("TRACE was accepted")
except botocore.exceptions.ClientError as error:
    assert error.response["Error"]["Code"] == "InvalidRequest", error.response
s3.delete_bucket_cors(Bucket="${bucket}")
try:
    s3.get_bucket_cors(Bucket="${bucket}")
    raise SystemExit("the configuration is still there")
except botocore.exceptions.ClientError as error:
    assert error.response["Error"]["Code"] == "NoSuchCORSConfiguration", error.response
print("boto3 cors ok")
`;
    expect(await tool("python3", ["-c", script])).toContain("boto3 cors ok");
  });
});
