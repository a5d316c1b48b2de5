import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { runTool, toolEnvironment } from "./aws-tools.ts";
import { s3Failure } from "./s3-failure.ts";

const bucket = "goodgreets-test-uploads";
const mib = 1024 * 1024;
let root: string;
let service: RunningService;
let s3: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-multipart-test-"));
  service = await startS3StandIn({ dataDir: join(root, "data"), buckets: [bucket] });
  s3 = standInS3Client(service.url, { maxAttempts: 1 });
});

afterAll(async () => {
  s3?.destroy();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest();
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function upload(key: string, parts: readonly Buffer[]) {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: "image/png" }),
  );
  const etags: string[] = [];
  for (const [index, Body] of parts.entries()) {
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body }),
    );
    etags.push(part.ETag ?? "");
  }
  return { uploadId: UploadId ?? "", etags };
}

describe("multipart upload through the SDK", () => {
  it("assembles the parts in order, with S3's '-N' ETag, the type set at creation, and ranges across parts", async () => {
    const parts = [randomBytes(5 * mib), randomBytes(5 * mib), randomBytes(1000)];
    const { uploadId, etags } = await upload("cards/big.png", parts);
    expect(etags).toEqual(parts.map((part) => `"${md5(part).toString("hex")}"`));
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: "cards/big.png", UploadId: uploadId }),
    );
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, 5 * mib],
      [2, 5 * mib],
      [3, 1000],
    ]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "cards/big.png",
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    const expected = `"${md5(Buffer.concat(parts.map(md5))).toString("hex")}-3"`;
    expect(done.ETag).toBe(expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cards/big.png" }));
    expect({ etag: head.ETag, type: head.ContentType, size: head.ContentLength }).toEqual({
      etag: expected,
      type: "image/png",
      size: 10 * mib + 1000,
    });
    const whole = Buffer.concat(parts);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cards/big.png" }));
    expect(sha256(Buffer.from((await got.Body?.transformToByteArray()) ?? []))).toBe(sha256(whole));
    const across = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: "cards/big.png",
        Range: `bytes=${5 * mib - 2}-${5 * mib + 1}`,
      }),
    );
    expect(Buffer.from((await across.Body?.transformToByteArray()) ?? [])).toEqual(
      whole.subarray(5 * mib - 2, 5 * mib + 2),
    );
    // A completed upload is gone.
    const again = s3.send(new ListPartsCommand({ Bucket: bucket, Key: "cards/big.png", UploadId: uploadId }));
    expect(await s3Failure(again)).toMatchObject({ name: "NoSuchUpload", status: 404 });
  });

  it("refuses part lists S3 refuses, and keeps the upload open to fix them", async () => {
    const parts = [randomBytes(1000), randomBytes(1000)];
    const { uploadId, etags } = await upload("cards/small.png", parts);
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      s3Failure(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: "cards/small.png",
            UploadId: uploadId,
            MultipartUpload: { Parts },
          }),
        ),
      );
    const [first = "", second = ""] = etags;
    expect(
      await complete([
        { ETag: first, PartNumber: 1 },
        { ETag: second, PartNumber: 2 },
      ]),
    ).toMatchObject({
      name: "EntityTooSmall",
      status: 400,
    });
    expect(
      await complete([
        { ETag: second, PartNumber: 2 },
        { ETag: first, PartNumber: 1 },
      ]),
    ).toMatchObject({
      name: "InvalidPartOrder",
      status: 400,
    });
    expect(await complete([{ ETag: '"0123"', PartNumber: 1 }])).toMatchObject({
      name: "InvalidPart",
      status: 400,
    });
    expect(await complete([{ ETag: first, PartNumber: 3 }])).toMatchObject({
      name: "InvalidPart",
      status: 400,
    });
    // One small part is a whole object: the size rule spares the last part.
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "cards/small.png",
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ ETag: first, PartNumber: 1 }] },
      }),
    );
    expect(done.ETag).toMatch(/-1"$/);
  });

  it("refuses part numbers outside 1..10000, unknown or aborted uploads, and uploads of another key", async () => {
    const { uploadId } = await upload("cards/aborted.png", []);
    const part = (PartNumber: number, Key = "cards/aborted.png", UploadId = uploadId) =>
      s3Failure(s3.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber, Body: "x" })));
    expect(await part(0)).toMatchObject({ name: "InvalidArgument", status: 400 });
    expect(await part(10_001)).toMatchObject({ name: "InvalidArgument", status: 400 });
    expect(await part(1, "cards/other.png")).toMatchObject({ name: "NoSuchUpload", status: 404 });
    expect(await part(1, "cards/aborted.png", "not-an-upload")).toMatchObject({
      name: "NoSuchUpload",
      status: 404,
    });
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: "cards/aborted.png", UploadId: uploadId }),
    );
    expect(await part(1)).toMatchObject({ name: "NoSuchUpload", status: 404 });
    const missing = s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cards/aborted.png" }));
    expect((await s3Failure(missing)).status).toBe(404);
  });

  it("keeps an unfinished upload across a restart", async () => {
    const folder = join(root, "restart");
    const first = await startS3StandIn({ dataDir: folder, buckets: [bucket] });
    const client = standInS3Client(first.url, { maxAttempts: 1 });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "k" }));
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: "k", UploadId, PartNumber: 1, Body: "part one" }),
    );
    client.destroy();
    await first.close();
    const second = await startS3StandIn({ dataDir: folder });
    const again = standInS3Client(second.url, { maxAttempts: 1 });
    try {
      await again.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: "k",
          UploadId,
          MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
        }),
      );
      const got = await again.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }));
      expect(await got.Body?.transformToString()).toBe("part one");
    } finally {
      again.destroy();
      await second.close();
    }
  });
});

const tool = (command: string, args: string[]) =>
  runTool(command, args, toolEnvironment(root, { AWS_ENDPOINT_URL_S3: service.url }), 16 * mib);

describe("clients this project did not write", () => {
  it("`aws s3 cp` copies a 20 MB file up (multipart) and down (ranged GETs) unchanged", {
    timeout: 180_000,
  }, async () => {
    const original = randomBytes(20 * mib);
    const source = join(root, "card-20mb.bin");
    const copy = join(root, "card-20mb.copy");
    await writeFile(source, original);
    await tool("aws", ["s3", "cp", source, `s3://${bucket}/cli/card-20mb.bin`, "--no-progress"]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cli/card-20mb.bin" }));
    // The CLI switches to multipart at 8 MB, in 8 MB parts: three for 20 MB.
    expect(head.ETag).toMatch(/-3"$/);
    expect(head.ContentLength).toBe(20 * mib);
    await tool("aws", ["s3", "cp", `s3://${bucket}/cli/card-20mb.bin`, copy, "--no-progress"]);
    expect(sha256(await readFile(copy))).toBe(sha256(original));
    const listing = await tool("aws", ["s3", "ls", `s3://${bucket}/cli/`]);
    expect(listing).toContain("card-20mb.bin");
  });

  it("boto3 puts, reads, lists, uploads in parts and deletes", { timeout: 180_000 }, async () => {
    const script = `
import hashlib, os, boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3")
bucket = "${bucket}"
s3.put_object(Bucket=bucket, Key="boto/hello.txt", Body=b"hello cards", ContentType="text/plain")
got = s3.get_object(Bucket=bucket, Key="boto/hello.txt")
assert got["Body"].read() == b"hello cards" and got["ContentType"] == "text/plain", got
data = os.urandom(12 * 1024 * 1024)
path = os.path.join("${root}", "boto.bin")
open(path, "wb").write(data)
config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_file(path, bucket, "boto/big.bin", Config=config)
etag = s3.head_object(Bucket=bucket, Key="boto/big.bin")["ETag"]
assert etag.endswith('-3"'), etag
s3.download_file(bucket, "boto/big.bin", path + ".copy", Config=config)
assert hashlib.sha256(open(path + ".copy", "rb").read()).hexdigest() == hashlib.sha256(data).hexdigest()
keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="boto/")["Contents"]]
assert keys == ["boto/big.bin", "boto/hello.txt"], keys
s3.delete_object(Bucket=bucket, Key="boto/hello.txt")
try:
    s3.head_object(Bucket=bucket, Key="boto/hello.txt")
    raise SystemExit("the deleted object is still there")
except s3.exceptions.ClientError as error:
    assert error.response["Error"]["Code"] == "404", error.response
print("boto3 ok")
`;
    expect(await tool("python3", ["-c", script])).toContain("boto3 ok");
  });
});
