// Browser form uploads (presigned POST with a policy) through the S3 stand-in, made by @aws-sdk/s3-presigned-post:
// the size cap and content-type rules hold, a refused upload stores nothing, a forged form is refused.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost, type PresignedPostOptions } from "@aws-sdk/s3-presigned-post";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localEdgeIdentity } from "../../infra/local/config.ts";
import { readForm } from "../../infra/local/s3/form-data.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";

const bucket = "goodgreets-test-forms";
let root: string;
let service: RunningService;
let s3: S3Client;
let clockOffset = 0;

const clientFor = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  standInS3Client(service.url, { credentials, maxAttempts: 1 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-post-test-"));
  service = await startS3StandIn({
    dataDir: join(root, "data"),
    buckets: [bucket],
    now: () => Date.now() + clockOffset,
  });
  s3 = clientFor(localCredentials);
});

afterAll(async () => {
  s3?.destroy();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

/** The policy the images issue needs: one key prefix, PNG only, at most 1 KiB. */
const imageUpload = (Key: string, extra: Partial<PresignedPostOptions> = {}): PresignedPostOptions => ({
  Bucket: bucket,
  Key,
  Conditions: [
    ["content-length-range", 1, 1024],
    ["starts-with", "$key", "uploads/"],
    ["eq", "$Content-Type", "image/png"],
  ],
  Fields: { "Content-Type": "image/png" },
  Expires: 300,
  ...extra,
});

async function post(
  presigned: { url: string; fields: Record<string, string> },
  file: Buffer | undefined,
  change: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...presigned.fields, ...change })) form.append(name, value);
  if (file) form.append("file", new Blob([new Uint8Array(file)], { type: "image/png" }), "card.png");
  const response = await fetch(presigned.url, { method: "POST", body: form });
  const text = await response.text();
  return { status: response.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1], text, response };
}

async function stored(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

/** Body files on disk: a refused upload must leave none behind. */
async function bodyFiles(): Promise<string[]> {
  return readdir(join(root, "data", "buckets", bucket, "objects"));
}

describe("presigned POST", () => {
  it("stores a file that keeps the policy, with the content type the form set", async () => {
    const presigned = await createPresignedPost(s3, imageUpload("uploads/a.png"));
    const answer = await post(presigned, Buffer.alloc(600, 1));
    expect(answer.status).toBe(204);
    expect(answer.response.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "uploads/a.png" }));
    expect({ type: head.ContentType, size: head.ContentLength }).toEqual({ type: "image/png", size: 600 });
  });

  it("refuses a file over the content-length-range with EntityTooLarge and stores nothing", async () => {
    const before = await bodyFiles();
    const presigned = await createPresignedPost(s3, imageUpload("uploads/big.png"));
    const answer = await post(presigned, Buffer.alloc(300 * 1024, 2));
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "EntityTooLarge" });
    expect(answer.text).toContain("<MaxSizeAllowed>1024</MaxSizeAllowed>");
    expect(await stored("uploads/big.png")).toBe(false);
    expect(await bodyFiles()).toEqual(before);
  });

  it("refuses an empty file under the range's minimum with EntityTooSmall", async () => {
    const presigned = await createPresignedPost(s3, imageUpload("uploads/empty.png"));
    const answer = await post(presigned, Buffer.alloc(0));
    expect({ status: answer.status, code: answer.code }).toEqual({ status: 400, code: "EntityTooSmall" });
    expect(await stored("uploads/empty.png")).toBe(false);
  });

  it("refuses another content type, a key outside the prefix, and fields the policy does not name", async () => {
    const presigned = await createPresignedPost(s3, imageUpload("uploads/b.png"));
    const wrongType = await post(presigned, Buffer.alloc(10), { "Content-Type": "text/html" });
    expect({ status: wrongType.status, code: wrongType.code }).toEqual({ status: 403, code: "AccessDenied" });
    expect(wrongType.text).toContain("Policy Condition failed: [&quot;eq&quot;, &quot;$Content-Type&quot;");
    const outside = await post(presigned, Buffer.alloc(10), { key: "site/index.html" });
    expect({ status: outside.status, code: outside.code }).toEqual({ status: 403, code: "AccessDenied" });
    const extra = await post(presigned, Buffer.alloc(10), { "x-amz-meta-owner": "mallory" });
    expect(extra.text).toContain("Extra input fields: x-amz-meta-owner");
    expect(await stored("uploads/b.png")).toBe(false);
    expect(await stored("site/index.html")).toBe(false);
  });

  it("refuses a forged signature, an altered policy and an expired policy", async () => {
    const presigned = await createPresignedPost(s3, imageUpload("uploads/c.png"));
    const forged = await post(presigned, Buffer.alloc(10), {
      "X-Amz-Signature": (presigned.fields["X-Amz-Signature"] ?? "").replace(/^./, (c) =>
        c === "0" ? "1" : "0",
      ),
    });
    expect({ status: forged.status, code: forged.code }).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    const looser = JSON.parse(Buffer.from(presigned.fields.Policy ?? "", "base64").toString());
    looser.conditions = looser.conditions.filter((condition: unknown) => !Array.isArray(condition));
    const altered = await post(presigned, Buffer.alloc(5000), {
      Policy: Buffer.from(JSON.stringify(looser)).toString("base64"),
    });
    expect({ status: altered.status, code: altered.code }).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    clockOffset = 301_000;
    try {
      const expired = await post(presigned, Buffer.alloc(10));
      expect({ status: expired.status, code: expired.code }).toEqual({ status: 403, code: "AccessDenied" });
      expect(expired.text).toContain("Policy expired");
    } finally {
      clockOffset = 0;
    }
    expect(await stored("uploads/c.png")).toBe(false);
  });

  it("refuses a form signed by the edge's identity, which may only read", async () => {
    const edge = clientFor(localEdgeIdentity.credentials);
    try {
      const presigned = await createPresignedPost(edge, imageUpload("uploads/edge.png"));
      const answer = await post(presigned, Buffer.alloc(10));
      expect({ status: answer.status, code: answer.code }).toEqual({ status: 403, code: "AccessDenied" });
    } finally {
      edge.destroy();
    }
  });

  it("answers 201 with the PostResponse document, and names the key after the uploaded file", async () => {
    const presigned = await createPresignedPost(
      s3,
      imageUpload(["uploads/", "$", "{filename}"].join(""), {
        Conditions: [
          ["content-length-range", 1, 1024],
          ["starts-with", "$key", "uploads/"],
          ["eq", "$Content-Type", "image/png"],
          { success_action_status: "201" },
        ],
        Fields: { "Content-Type": "image/png", success_action_status: "201" },
      }),
    );
    const answer = await post(presigned, Buffer.alloc(20, 3));
    expect(answer.status).toBe(201);
    expect(answer.text).toContain("<Key>uploads/card.png</Key>");
    expect(await stored("uploads/card.png")).toBe(true);
  });

  it("refuses a form without a file, and fields over S3's 20 KB before the file", async () => {
    const presigned = await createPresignedPost(s3, imageUpload("uploads/d.png"));
    const noFile = await post(presigned, undefined);
    expect({ status: noFile.status, code: noFile.code }).toEqual({
      status: 400,
      code: "IncorrectNumberOfFilesInPostRequest",
    });
    const huge = await post(presigned, Buffer.alloc(10), { "x-ignore-padding": "p".repeat(25 * 1024) });
    expect({ status: huge.status, code: huge.code }).toEqual({
      status: 400,
      code: "MaxPostPreDataLengthExceededError",
    });
  });
});

describe("the form reader", () => {
  const boundary = "----cardform7MA4YWxkTrZu0gW";
  const encode = (fields: Record<string, string>, file: Buffer) =>
    Buffer.concat([
      ...Object.entries(fields).map(([name, value]) =>
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      ),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n`),
      Buffer.from("Content-Type: image/png\r\n\r\n"),
      file,
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="after"\r\n\r\nignored\r\n--${boundary}--\r\n`,
      ),
    ]);

  it("returns the file byte for byte however the body is split, even when it holds pieces of the boundary", async () => {
    const fragment = fc.constantFrom(
      "\r",
      "\r\n",
      "\r\n-",
      "\r\n--",
      `\r\n--${boundary.slice(0, 10)}`,
      "x",
      "--",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fragment, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        async (pieces, sizes) => {
          const file = Buffer.from(pieces.join(""));
          const body = encode({ key: "uploads/a.png", "Content-Type": "image/png" }, file);
          const chunks: Buffer[] = [];
          for (let offset = 0, index = 0; offset < body.length; index += 1) {
            const size = sizes[index % sizes.length] ?? 1;
            chunks.push(body.subarray(offset, offset + size));
            offset += size;
          }
          const form = await readForm(Readable.from(chunks), boundary, 20 * 1024);
          if (typeof form === "string") throw new Error(form);
          expect(form.fields.get("content-type")).toBe("image/png");
          expect(await buffer(form.file)).toEqual(file);
        },
      ),
      { numRuns: 200 },
    );
  });

  // A search that restarted at every near-boundary would not finish within the test's timeout.
  it("reads a 64 MB file made of near-boundaries in linear time", { timeout: 60_000 }, async () => {
    const near = Buffer.from(`\r\n--${boundary.slice(0, -1)}`);
    const file = Buffer.alloc(64 * 1024 * 1024);
    for (let offset = 0; offset + near.length <= file.length; offset += near.length) near.copy(file, offset);
    const body = encode({ key: "k" }, file);
    const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, index) =>
      body.subarray(index * 65536, (index + 1) * 65536),
    );
    const form = await readForm(Readable.from(chunks), boundary, 20 * 1024);
    if (typeof form === "string") throw new Error(form);
    let size = 0;
    for await (const chunk of form.file) size += (chunk as Buffer).length;
    expect(size).toBe(file.length);
  });
});
