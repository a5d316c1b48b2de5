// The S3 stand-in through the real S3Client, presigned URLs and plain fetch: objects, listings, conditions,
// ranges, signatures, integrity checks, hostile keys and restarts.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { getSigningKey, SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkSignature } from "../../infra/local/aws-signature.ts";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { compareKeys } from "../../infra/local/s3/listing.ts";
import { evaluatePreconditions, resolveRange } from "../../infra/local/s3/preconditions.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import { escapeXml, parseCompleteRequest, parseDeleteRequest } from "../../infra/local/s3/xml.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { s3Failure } from "./s3-failure.ts";
import { signedRequest } from "./s3-wire.ts";

const bucket = "goodgreets-test-images";
let root: string;
let dataDir: string;
let service: RunningService;
let s3: S3Client;

function clientFor(url: string): S3Client {
  return standInS3Client(url, { maxAttempts: 1 });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-stand-in-test-"));
  dataDir = join(root, "data");
  service = await startS3StandIn({ dataDir, port: 0, buckets: [bucket] });
  s3 = clientFor(service.url);
});

afterAll(async () => {
  s3?.destroy();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

function errorCodeOf(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

const md5Etag = (body: string | Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

describe("objects", () => {
  it("round-trips a body with its content type, cache control, disposition and metadata", async () => {
    const body = "<svg>a birthday card</svg>";
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "designs/birthday.svg",
        Body: body,
        ContentType: "image/svg+xml",
        CacheControl: "public, max-age=31536000, immutable",
        ContentDisposition: 'inline; filename="birthday.svg"',
        Metadata: { design: "birthday", "uploaded-by": "card-7" },
      }),
    );
    expect(put.ETag).toBe(md5Etag(body));

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "designs/birthday.svg" }));
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got).toMatchObject({
      ContentType: "image/svg+xml",
      CacheControl: "public, max-age=31536000, immutable",
      ContentDisposition: 'inline; filename="birthday.svg"',
      ContentLength: Buffer.byteLength(body),
      ETag: md5Etag(body),
      AcceptRanges: "bytes",
      Metadata: { design: "birthday", "uploaded-by": "card-7" },
    });
    expect(got.LastModified).toBeInstanceOf(Date);

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "designs/birthday.svg" }));
    expect(head).toMatchObject({ ContentLength: Buffer.byteLength(body), ETag: md5Etag(body) });
    expect(head.LastModified?.getTime()).toBe(got.LastModified?.getTime());

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "designs/birthday.svg" }));
    const gone = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "designs/birthday.svg" })),
    );
    expect(gone).toMatchObject({ name: "NoSuchKey", status: 404 });
    const headGone = await s3Failure(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "designs/birthday.svg" })),
    );
    expect(headGone).toMatchObject({ name: "NotFound", status: 404 });
  });

  it("streams a large body of unknown content (aws-chunked with a CRC32 trailer) and serves it back", async () => {
    const piece = Buffer.alloc(1024 * 1024);
    const pieces = Array.from({ length: 9 }, (_, index) => Buffer.from(piece.fill(index + 1)));
    const whole = Buffer.concat(pieces);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "uploads/large.bin",
        Body: Readable.from(pieces),
        ContentLength: whole.length,
      }),
    );
    expect(put.ETag).toBe(md5Etag(whole));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/large.bin" }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(whole)).toBe(true);
  });

  it("keeps keys with spaces, unicode, plus signs and percent signs exactly", async () => {
    const keys = [
      "cards/mum & dad.png",
      "cards/grüße 🎂.png",
      "cards/a+b=c.png",
      "cards/100%.png",
      "cards/ a ",
    ];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    for (const key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body?.transformToString()).toBe(key);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "cards/" }));
    expect(listed.Contents?.map((object) => object.Key).sort()).toEqual([...keys].sort());
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
  });

  it("stores keys that look like paths out of the data folder inside it, as plain keys", async () => {
    const hostile = ["../../escape.txt", "../outside/evil", "a/../../b", "/absolute", "..", "./."];
    for (const key of hostile)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
    for (const key of hostile) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body?.transformToString()).toBe(`body of ${key}`);
    }
    // Nothing appeared next to the data folder, or anywhere above it.
    expect(await readdir(root)).toEqual(["data"]);
    expect((await readdir(dataDir)).sort()).toEqual(["buckets", "uploads"]);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: hostile.map((Key) => ({ Key })), Quiet: true },
      }),
    );
  });

  it("copies an object with its metadata, or with replaced metadata", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "copy/source.txt",
        Body: "hello",
        ContentType: "text/plain",
        Metadata: { a: "1" },
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "copy/kept.txt",
        CopySource: `${bucket}/copy/source.txt`,
      }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(md5Etag("hello"));
    const kept = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "copy/kept.txt" }));
    expect(kept).toMatchObject({ ContentType: "text/plain", Metadata: { a: "1" } });
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "copy/replaced.txt",
        CopySource: encodeURIComponent(`${bucket}/copy/source.txt`),
        MetadataDirective: "REPLACE",
        ContentType: "text/markdown",
        Metadata: { b: "2" },
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "copy/replaced.txt" }));
    expect(replaced).toMatchObject({ ContentType: "text/markdown", Metadata: { b: "2" } });
    const onItself = s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "copy/source.txt",
        CopySource: `${bucket}/copy/source.txt`,
      }),
    );
    expect(await s3Failure(onItself)).toMatchObject({ name: "InvalidRequest", status: 400 });
  });

  it("refuses a body that does not match its Content-MD5 and keeps the previous object", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "md5/card.txt", Body: "first" }));
    const wrongMd5 = createHash("md5").update("something else").digest("base64");
    const refused = s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "md5/card.txt", Body: "second", ContentMD5: wrongMd5 }),
    );
    expect(await s3Failure(refused)).toMatchObject({ name: "BadDigest", status: 400 });
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "md5/card.txt" }));
    expect(await got.Body?.transformToString()).toBe("first");
    const rightMd5 = createHash("md5").update("second").digest("base64");
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "md5/card.txt", Body: "second", ContentMD5: rightMd5 }),
    );
  });

  it("refuses a body that does not match the signed x-amz-content-sha256", async () => {
    const signer = new SignatureV4({
      service: "s3",
      region: localRegion,
      credentials: localCredentials,
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(`${service.url}/${bucket}/sha/card.txt`);
    const signed = await signer.sign({
      method: "PUT",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host, "content-length": "6" },
      body: "signed",
    });
    const response = await fetch(url, { method: "PUT", headers: signed.headers, body: "tamper" });
    expect(response.status).toBe(400);
    expect(errorCodeOf(await response.text())).toBe("XAmzContentSHA256Mismatch");
    const untampered = await fetch(url, { method: "PUT", headers: signed.headers, body: "signed" });
    expect(untampered.status).toBe(200);
  });
});

describe("listing", () => {
  const keys = [
    "catalog/birthday/cake.svg",
    "catalog/birthday/balloons.svg",
    "catalog/thanks/flowers.svg",
    "catalog/index.json",
    "catalog/wedding/rings.svg",
    "catalog/wedding/doves.svg",
    "catalog/wedding/bells.svg",
    "other/readme.txt",
  ];

  beforeAll(async () => {
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });

  it("lists keys under a prefix in order, with sizes and ETags", async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "catalog/wedding/" }));
    expect(page.Contents?.map((object) => object.Key)).toEqual([
      "catalog/wedding/bells.svg",
      "catalog/wedding/doves.svg",
      "catalog/wedding/rings.svg",
    ]);
    expect(page.Contents?.[0]).toMatchObject({
      Size: "catalog/wedding/bells.svg".length,
      ETag: md5Etag("catalog/wedding/bells.svg"),
      StorageClass: "STANDARD",
    });
    expect(page).toMatchObject({ KeyCount: 3, IsTruncated: false, Prefix: "catalog/wedding/" });
  });

  it("rolls keys up into common prefixes at the delimiter", async () => {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "catalog/", Delimiter: "/" }),
    );
    expect(page.Contents?.map((object) => object.Key)).toEqual(["catalog/index.json"]);
    expect(page.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual([
      "catalog/birthday/",
      "catalog/thanks/",
      "catalog/wedding/",
    ]);
    expect(page.KeyCount).toBe(4);
  });

  it("pages with max-keys and continuation tokens, counting common prefixes, without loss or repeats", async () => {
    for (const delimiter of [undefined, "/"]) {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page: ListObjectsV2CommandOutput = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: "catalog/",
            Delimiter: delimiter,
            MaxKeys: 2,
            ContinuationToken: token,
          }),
        );
        const entries = [
          ...(page.Contents ?? []).map((object) => object.Key ?? ""),
          ...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ""),
        ];
        expect(entries.length).toBeLessThanOrEqual(2);
        seen.push(...entries);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        pages += 1;
      } while (token);
      const expected = delimiter
        ? ["catalog/birthday/", "catalog/index.json", "catalog/thanks/", "catalog/wedding/"]
        : keys.filter((key) => key.startsWith("catalog/")).sort();
      expect(seen.sort()).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 2));
    }
  });

  it("starts after a given key, and refuses a continuation token it did not issue", async () => {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: "catalog/",
        StartAfter: "catalog/thanks/flowers.svg",
      }),
    );
    expect(page.Contents?.map((object) => object.Key)).toEqual([
      "catalog/wedding/bells.svg",
      "catalog/wedding/doves.svg",
      "catalog/wedding/rings.svg",
    ]);
    const forged = s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: "not-a-token" }));
    expect(await s3Failure(forged)).toMatchObject({ name: "InvalidArgument", status: 400 });
  });
});

describe("ranges and conditions", () => {
  const key = "conditional/card.txt";
  const body = "0123456789abcdef";
  let etag: string | undefined;
  let lastModified: Date | undefined;

  beforeAll(async () => {
    etag = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).ETag;
    lastModified = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).LastModified;
  });

  it("serves a byte range as 206 with Content-Range, and a suffix range", async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=2-5" }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes 2-5/${body.length}`);
    expect(got.ContentLength).toBe(4);
    expect(await got.Body?.transformToString()).toBe("2345");
    const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=-3" }));
    expect(await tail.Body?.transformToString()).toBe("def");
    const beyond = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=100-" }));
    expect(await s3Failure(beyond)).toMatchObject({ name: "InvalidRange", status: 416 });
  });

  it("honours If-Range only for the current object, and answers several ranges with the whole object as S3 does", async () => {
    const get = (headers: Record<string, string>) =>
      signedRequest(service.url, localCredentials, "GET", `/${bucket}/${key}`, headers);
    const current = await get({ range: "bytes=2-5", "if-range": etag ?? "" });
    expect([current.status, current.headers["content-range"], current.body.toString()]).toEqual([
      206,
      `bytes 2-5/${body.length}`,
      "2345",
    ]);
    const byDate = await get({ range: "bytes=2-5", "if-range": lastModified?.toUTCString() ?? "" });
    expect(byDate.status).toBe(206);
    for (const stale of ['"another-etag"', `W/${etag}`, "Thu, 01 Jan 2015 00:00:00 GMT"]) {
      const whole = await get({ range: "bytes=2-5", "if-range": stale });
      expect({ stale, status: whole.status, body: whole.body.toString() }).toEqual({
        stale,
        status: 200,
        body,
      });
    }
    const several = await get({ range: "bytes=0-1,4-5" });
    expect([several.status, several.headers["content-range"], several.body.toString()]).toEqual([
      200,
      undefined,
      body,
    ]);
    const unsatisfiable = await get({ range: `bytes=${body.length}-` });
    expect([unsatisfiable.status, unsatisfiable.headers["content-range"]]).toEqual([
      416,
      `bytes */${body.length}`,
    ]);
    expect(unsatisfiable.body.toString()).toContain("<Code>InvalidRange</Code>");
  });

  it("answers 304 when the ETag still matches If-None-Match or nothing changed since If-Modified-Since", async () => {
    const byEtag = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: etag }));
    expect((await s3Failure(byEtag)).status).toBe(304);
    const byDate = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfModifiedSince: lastModified }));
    expect((await s3Failure(byDate)).status).toBe(304);
    const changed = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: '"other"' }));
    expect(await changed.Body?.transformToString()).toBe(body);
    const earlier = new Date((lastModified?.getTime() ?? 0) - 1000);
    const modified = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, IfModifiedSince: earlier }),
    );
    expect(modified.$metadata.httpStatusCode).toBe(200);
    await modified.Body?.transformToString();
  });

  it("answers 412 when If-Match names another ETag or the object changed since If-Unmodified-Since", async () => {
    const byEtag = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: '"other"' }));
    expect(await s3Failure(byEtag)).toMatchObject({ name: "PreconditionFailed", status: 412 });
    const earlier = new Date((lastModified?.getTime() ?? 0) - 1000);
    const byDate = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfUnmodifiedSince: earlier }));
    expect(await s3Failure(byDate)).toMatchObject({ name: "PreconditionFailed", status: 412 });
    const matching = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
    expect(await matching.Body?.transformToString()).toBe(body);
  });
});

describe("signatures", () => {
  const key = "presigned/card.txt";

  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "for the recipient" }));
  });

  it("serves a presigned GET to a plain fetch, with response header overrides", async () => {
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: "attachment" }),
      { expiresIn: 60 },
    );
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("for the recipient");
    expect(response.headers.get("content-disposition")).toBe("attachment");
  });

  it("refuses a presigned URL used for another key", async () => {
    const url = new URL(
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 }),
    );
    url.pathname = `/${bucket}/presigned/other.txt`;
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(errorCodeOf(await response.text())).toBe("SignatureDoesNotMatch");
  });

  it("refuses an expired presigned URL", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(errorCodeOf(xml)).toBe("AccessDenied");
    expect(xml).toContain("<Message>Request has expired</Message>");
  });

  it("accepts a presigned PUT from a plain fetch, keeping the signed content type", async () => {
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: bucket, Key: "uploads/photo.png", ContentType: "image/png" }),
      { expiresIn: 300 },
    );
    const photo = Buffer.from("\x89PNG not really");
    const response = await fetch(url, {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: photo,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(md5Etag(photo));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "uploads/photo.png" }));
    expect(head).toMatchObject({ ContentType: "image/png", ContentLength: photo.length });
  });

  it("holds a presigned PUT to the content length it was signed for", async () => {
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: bucket, Key: "uploads/limited.png", ContentLength: 10 }),
      { expiresIn: 300 },
    );
    expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    const tooLarge = await fetch(url, { method: "PUT", body: Buffer.alloc(11) });
    expect(tooLarge.status).toBe(403);
    expect(errorCodeOf(await tooLarge.text())).toBe("SignatureDoesNotMatch");
    const fitting = await fetch(url, { method: "PUT", body: Buffer.alloc(10) });
    expect(fitting.status).toBe(200);
  });

  it("refuses a presigned PUT whose signature was tampered with, storing nothing", async () => {
    const url = new URL(
      await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "uploads/tampered.png" }), {
        expiresIn: 300,
      }),
    );
    const signature = url.searchParams.get("X-Amz-Signature") ?? "";
    url.searchParams.set(
      "X-Amz-Signature",
      `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`,
    );
    const response = await fetch(url, { method: "PUT", body: "sneaky" });
    expect(response.status).toBe(403);
    expect(errorCodeOf(await response.text())).toBe("SignatureDoesNotMatch");
    const missing = s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "uploads/tampered.png" }));
    expect((await s3Failure(missing)).status).toBe(404);
  });

  it("refuses unsigned requests and requests signed with an unknown key", async () => {
    const anonymous = await fetch(`${service.url}/${bucket}/${key}`);
    expect(anonymous.status).toBe(403);
    expect(errorCodeOf(await anonymous.text())).toBe("AccessDenied");
    const anonymousPut = await fetch(`${service.url}/${bucket}/uploads/anonymous.txt`, {
      method: "PUT",
      body: "x",
    });
    expect(anonymousPut.status).toBe(403);
    await anonymousPut.body?.cancel();

    const stranger = standInS3Client(service.url, {
      credentials: { accessKeyId: "AKIDSTRANGER", secretAccessKey: "guess" },
      maxAttempts: 1,
    });
    const refused = stranger.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await s3Failure(refused)).toMatchObject({ name: "InvalidAccessKeyId", status: 403 });
    const wrongSecret = standInS3Client(service.url, {
      credentials: { accessKeyId: localCredentials.accessKeyId, secretAccessKey: "guess" },
      maxAttempts: 1,
    });
    const mismatched = wrongSecret.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await s3Failure(mismatched)).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    stranger.destroy();
    wrongSecret.destroy();
  });
});

describe("signed aws-chunked uploads", () => {
  const signer = new SignatureV4({
    service: "s3",
    region: localRegion,
    credentials: localCredentials,
    sha256: Sha256,
    uriEscapePath: false,
  });

  /** A STREAMING-AWS4-HMAC-SHA256-PAYLOAD request, framed and chained as the S3 docs describe. */
  async function chunkedUpload(key: string, chunks: Buffer[], tamper?: (body: Buffer) => void) {
    const url = new URL(`${service.url}/${bucket}/${key}`);
    const decodedLength = chunks.reduce((total, chunk) => total + chunk.length, 0);
    const signed = await signer.sign({
      method: "PUT",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        "content-encoding": "aws-chunked",
        "content-type": "text/plain",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": String(decodedLength),
      },
    });
    const headers = signed.headers as Record<string, string>;
    const longDate = headers["x-amz-date"] ?? "";
    const seedSignature = /Signature=(\w+)/.exec(headers.authorization ?? "")?.[1] ?? "";
    const signing = {
      signingKey: await getSigningKey(Sha256, localCredentials, longDate.slice(0, 8), localRegion, "s3"),
      longDate,
      scope: `${longDate.slice(0, 8)}/${localRegion}/s3/aws4_request`,
      seedSignature,
    };
    const framed: Buffer[] = [];
    let previous = seedSignature;
    for (const chunk of [...chunks, Buffer.alloc(0)]) {
      previous = chunkSignature(signing, previous, createHash("sha256").update(chunk).digest("hex"));
      framed.push(
        Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
        chunk,
        Buffer.from("\r\n"),
      );
    }
    const body = Buffer.concat(framed);
    tamper?.(body);
    return fetch(url, { method: "PUT", headers, body });
  }

  it("stores the decoded bytes when every chunk signature holds", async () => {
    const chunks = [Buffer.alloc(70_000, "x"), Buffer.from("the end")];
    const response = await chunkedUpload("chunked/card.txt", chunks);
    expect(response.status).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "chunked/card.txt" }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(Buffer.concat(chunks))).toBe(
      true,
    );
    expect(got.ContentType).toBe("text/plain");
    expect(got.ContentEncoding).toBeUndefined();
  });

  it("answers a large upload whose first chunk was altered, without waiting on the unread rest", async () => {
    const chunks = Array.from({ length: 128 }, () => Buffer.alloc(64 * 1024, "w"));
    const response = await chunkedUpload("chunked/large-altered.bin", chunks, (body) => {
      body[200] = "v".charCodeAt(0);
    });
    expect(response.status).toBe(403);
    expect(errorCodeOf(await response.text())).toBe("SignatureDoesNotMatch");
  });

  it("refuses the upload and keeps nothing when one chunk was altered in transit", async () => {
    const response = await chunkedUpload("chunked/altered.txt", [Buffer.alloc(1000, "y")], (body) => {
      body[500] = "z".charCodeAt(0);
    });
    expect(response.status).toBe(403);
    expect(errorCodeOf(await response.text())).toBe("SignatureDoesNotMatch");
    const missing = s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "chunked/altered.txt" }));
    expect((await s3Failure(missing)).status).toBe(404);
  });
});

describe("pure rules", () => {
  it("orders keys by UTF-8 bytes, as S3 lists them", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
    );
    expect(compareKeys("\u{1F382}", "\uFFFD")).toBeGreaterThan(0);
  });

  it("resolves byte ranges like S3: clamps the end, ignores what it cannot parse, 416 past the end", () => {
    expect(resolveRange("bytes=0-0", 10)).toEqual({ kind: "partial", start: 0, end: 0 });
    expect(resolveRange("bytes=5-100", 10)).toEqual({ kind: "partial", start: 5, end: 9 });
    expect(resolveRange("bytes=-100", 10)).toEqual({ kind: "partial", start: 0, end: 9 });
    expect(resolveRange("bytes=10-", 10)).toEqual({ kind: "unsatisfiable" });
    expect(resolveRange("bytes=0-1,4-5", 10)).toEqual({ kind: "whole" });
    expect(resolveRange("items=0-1", 10)).toEqual({ kind: "whole" });
  });

  it("lets If-Match and If-None-Match win over the date conditions", () => {
    const object = { etag: '"abc"', lastModified: Date.UTC(2026, 0, 1, 12, 0, 0, 700) };
    const before = new Date(Date.UTC(2025, 0, 1)).toUTCString();
    const sameSecond = new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toUTCString();
    const none = {
      ifMatch: undefined,
      ifNoneMatch: undefined,
      ifModifiedSince: undefined,
      ifUnmodifiedSince: undefined,
    };
    expect(
      evaluatePreconditions({ ...none, ifMatch: '"abc"', ifUnmodifiedSince: before }, object, "GET"),
    ).toBe("proceed");
    expect(
      evaluatePreconditions({ ...none, ifNoneMatch: '"xyz"', ifModifiedSince: sameSecond }, object, "GET"),
    ).toBe("proceed");
    expect(evaluatePreconditions({ ...none, ifModifiedSince: sameSecond }, object, "GET")).toBe(
      "not-modified",
    );
    expect(evaluatePreconditions({ ...none, ifNoneMatch: "*" }, object, "HEAD")).toBe("not-modified");
    expect(evaluatePreconditions({ ...none, ifMatch: 'W/"abc", "def"' }, object, "GET")).toBe("proceed");
    expect(evaluatePreconditions({ ...none, ifUnmodifiedSince: before }, object, "GET")).toBe(
      "precondition-failed",
    );
  });

  it("reads hostile XML bodies in linear time: unclosed elements, near-miss names", {
    timeout: 60_000,
  }, () => {
    expect(
      parseCompleteRequest(`<CompleteMultipartUpload>${"<Part>".repeat(300_000)}</CompleteMultipartUpload>`),
    ).toEqual({
      ok: true,
      parts: [],
    });
    expect(parseDeleteRequest(`<Delete>${"<Objects".repeat(300_000)}</Delete>`)).toEqual({
      ok: true,
      quiet: false,
      keys: [],
    });
    expect(
      parseCompleteRequest(
        "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>&quot;ab&quot;</ETag></Part></CompleteMultipartUpload>",
      ),
    ).toEqual({ ok: true, parts: [{ partNumber: 2, etag: '"ab"' }] });
  });

  it("reads back every key a multi-delete body can carry", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", minLength: 1 }), { minLength: 1, maxLength: 5 }),
        (keys) => {
          const xml = `<Delete>${keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join("")}</Delete>`;
          expect(parseDeleteRequest(xml)).toEqual({ ok: true, quiet: false, keys });
        },
      ),
    );
  });
});

describe("buckets", () => {
  it("creates, lists, heads and deletes buckets, refusing to delete a bucket with objects", async () => {
    const name = "goodgreets-test-scratch";
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((entry) => entry.Name)).toEqual(expect.arrayContaining([bucket, name]));
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: "k", Body: "v" }));
    expect(await s3Failure(s3.send(new DeleteBucketCommand({ Bucket: name })))).toMatchObject({
      name: "BucketNotEmpty",
      status: 409,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
    expect(await s3Failure(s3.send(new HeadBucketCommand({ Bucket: name })))).toMatchObject({
      name: "NotFound",
      status: 404,
    });
    const missing = s3.send(new GetObjectCommand({ Bucket: name, Key: "k" }));
    expect(await s3Failure(missing)).toMatchObject({ name: "NoSuchBucket", status: 404 });
    const invalid = s3.send(new CreateBucketCommand({ Bucket: "Not_A_Bucket" }));
    expect(await s3Failure(invalid)).toMatchObject({ name: "InvalidBucketName", status: 400 });
  });

  it("reports each key of a multi-delete as deleted, present or not", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "multi/one", Body: "1" }));
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "multi/one" }, { Key: "multi/never-was & <xml>" }] },
      }),
    );
    expect(result.Deleted?.map((entry) => entry.Key)).toEqual(["multi/one", "multi/never-was & <xml>"]);
    const gone = s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "multi/one" }));
    expect((await s3Failure(gone)).status).toBe(404);
  });
});

describe("restarts", () => {
  it("keeps buckets and objects across a restart and sweeps what an interrupted write left", async () => {
    const folder = await mkdtemp(join(tmpdir(), "s3-stand-in-restart-"));
    try {
      const first = await startS3StandIn({ dataDir: folder, buckets: ["goodgreets-restart"] });
      const firstClient = clientFor(first.url);
      await firstClient.send(
        new PutObjectCommand({
          Bucket: "goodgreets-restart",
          Key: "kept/card.txt",
          Body: "still here",
          CacheControl: "no-cache",
        }),
      );
      firstClient.destroy();
      await first.close();
      await first.close();

      // What a crash mid-write leaves: a body no sidecar names and an uncommitted sidecar.
      const objects = join(folder, "buckets", "goodgreets-restart", "objects");
      const before = await readdir(objects);
      await writeFile(join(objects, "0123.half-written.body"), "half");
      await writeFile(join(objects, "0123.json.pending.tmp"), "{");

      const second = await startS3StandIn({ dataDir: folder });
      const secondClient = clientFor(second.url);
      try {
        const got = await secondClient.send(
          new GetObjectCommand({ Bucket: "goodgreets-restart", Key: "kept/card.txt" }),
        );
        expect(await got.Body?.transformToString()).toBe("still here");
        expect(got.CacheControl).toBe("no-cache");
        expect((await readdir(objects)).sort()).toEqual(before.sort());
      } finally {
        secondClient.destroy();
        await second.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("removes its temporary data folder on close when given none", async () => {
    const temporary = await startS3StandIn({ buckets: ["goodgreets-temporary"] });
    const client = clientFor(temporary.url);
    await client.send(new PutObjectCommand({ Bucket: "goodgreets-temporary", Key: "k", Body: "v" }));
    client.destroy();
    const before = new Set(await readdir(tmpdir()));
    await temporary.close();
    const after = new Set(await readdir(tmpdir()));
    const removed = [...before].filter((name) => !after.has(name));
    expect(removed.some((name) => name.startsWith("goodgreets-s3-"))).toBe(true);
  });
});
