// The resizer Lambda@Edge handler with CloudFront origin-response events, against the S3 stand-in through
// the real SDK: what it renders, stores and answers, and what it refuses to render or store.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontLambdaEvent, CloudFrontLambdaResponse } from "../../edge/aws/lambda-edge-event.ts";
import {
  generatedResponseMaxBytes,
  handler,
  type ImageStoreConfig,
  variantCacheControl,
} from "../../edge/lambda/image-resizer.ts";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import * as corpus from "./corpus.ts";

const bucket = "goodgreets-test-images";
let dataDir: string;
let s3Service: RunningService;
let s3: S3Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "goodgreets-resizer-"));
  s3Service = await startS3StandIn({ dataDir, port: 0 });
  s3 = standInS3Client(s3Service.url);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // The edge build bakes this in with esbuild's define; a global stands in for it here.
  (globalThis as { __IMAGE_STORE__?: ImageStoreConfig }).__IMAGE_STORE__ = {
    bucket,
    region: localRegion,
    endpoint: s3Service.url,
    credentials: localCredentials,
  };
  const art = await readFile("site/catalog/art/balloon-bunch.svg");
  const originals: [string, Buffer | Promise<Buffer>][] = [
    ["img/catalog/balloon-bunch.svg", art],
    ["img/uploads/photo.jpg", corpus.jpeg()],
    ["img/uploads/rotated.jpg", corpus.rotatedJpeg()],
    ["img/uploads/animated.gif", corpus.animatedGif()],
    ["img/uploads/bomb.png", corpus.bombPng()],
    ["img/uploads/truncated.jpg", corpus.truncatedJpeg()],
    ["img/uploads/page.jpg", corpus.htmlWithJpegName()],
    ["img/uploads/script.svg", corpus.scriptSvg()],
    ["img/uploads/noise.jpg", corpus.noisyJpeg(2400, 2400)],
  ];
  for (const [key, body] of originals)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await body }));
}, 60_000);

afterAll(async () => {
  s3.destroy();
  await s3Service.close();
  await rm(dataDir, { recursive: true, force: true });
});

const s3Missing: CloudFrontLambdaResponse = {
  status: "403",
  statusDescription: "Forbidden",
  headers: { "content-type": [{ key: "Content-Type", value: "application/xml" }] },
};
const originResponse = (uri: string, response = s3Missing): CloudFrontLambdaEvent => ({
  Records: [
    {
      cf: {
        config: {
          distributionDomainName: "d1.cloudfront.net",
          distributionId: "E1",
          eventType: "origin-response",
          requestId: "r",
        },
        request: { clientIp: "192.0.2.1", method: "GET", uri, querystring: "", headers: {} },
        response,
      },
    },
  ],
});
const stored = async (key: string) => {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { object, bytes: Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array())) };
};
const bodyOf = (response: CloudFrontLambdaResponse) => Buffer.from(response.body ?? "", "base64");

describe("the image resizer", () => {
  it.each([
    ["webp", "image/webp"],
    ["avif", "image/avif"],
    ["jpeg", "image/jpeg"],
  ] as const)("renders catalog SVG art as %s, stores it for a year and answers it", async (format, type) => {
    const uri = `/img/catalog/balloon-bunch.svg/w320.${format}`;
    const response = await handler(originResponse(uri));
    expect(response.status).toBe("200");
    expect(response.headers?.["content-type"]?.[0]?.value).toBe(type);
    expect(response.headers?.["cache-control"]?.[0]?.value).toBe(variantCacheControl);
    const picture = await sharp(bodyOf(response)).metadata();
    expect(picture.format).toBe(format === "avif" ? "heif" : format);
    expect(picture.width).toBe(320);
    const copy = await stored(uri.slice(1));
    expect(copy.object.CacheControl).toBe(variantCacheControl);
    expect(copy.object.ContentType).toBe(type);
    expect(copy.bytes.equals(bodyOf(response))).toBe(true);
  });

  it("leaves an answer the bucket had as it was", async () => {
    const found: CloudFrontLambdaResponse = { status: "200", statusDescription: "OK", headers: {} };
    expect(await handler(originResponse("/img/uploads/photo.jpg/w160.webp", found))).toBe(found);
  });

  it("applies EXIF orientation and strips metadata", async () => {
    const response = await handler(originResponse("/img/uploads/rotated.jpg/w320.jpeg"));
    const picture = await sharp(bodyOf(response)).metadata();
    // 800×600 stored sideways: upright it is 600 wide, so 320 wide is 427 high.
    expect([picture.width, picture.height]).toEqual([320, 427]);
    expect(picture.exif).toBeUndefined();
    expect(picture.orientation).toBeUndefined();
  });

  it("renders the first frame of an animation only", async () => {
    const response = await handler(originResponse("/img/uploads/animated.gif/w160.webp"));
    const picture = await sharp(bodyOf(response), { pages: -1 }).metadata();
    expect(picture.pages ?? 1).toBe(1);
    const { data } = await sharp(bodyOf(response)).raw().toBuffer({ resolveWithObject: true });
    // The first frame is red.
    expect(data[0]).toBeGreaterThan(200);
    expect(data[2]).toBeLessThan(60);
  });

  it("stores a variant over the generated-response limit and sends the viewer to it, uncached", async () => {
    const uri = "/img/uploads/noise.jpg/w1920.jpeg";
    const response = await handler(originResponse(uri));
    expect(response.status).toBe("302");
    expect(response.headers?.location?.[0]?.value).toBe(uri);
    expect(response.headers?.["cache-control"]?.[0]?.value).toBe("no-store");
    expect((await stored(uri.slice(1))).bytes.length).toBeGreaterThan(generatedResponseMaxBytes);
  }, 30_000);

  it.each([
    ["an off-list width", "/img/uploads/photo.jpg/w400.webp", "404"],
    ["a format outside the list", "/img/uploads/photo.jpg/w320.png", "404"],
    ["a missing original", "/img/uploads/nothing.jpg/w320.webp", "404"],
    ["a missing original without a variant", "/img/uploads/nothing.jpg", "404"],
    ["a path-traversal key", "/img/uploads/../catalog/balloon-bunch.svg/w320.webp", "404"],
    ["a decompression bomb", "/img/uploads/bomb.png/w320.webp", "422"],
    ["a truncated JPEG", "/img/uploads/truncated.jpg/w320.webp", "422"],
    ["HTML named .jpg", "/img/uploads/page.jpg/w320.webp", "422"],
  ])("answers %s with %s and stores nothing", async (_, uri, status) => {
    const response = await handler(originResponse(uri));
    expect(response.status).toBe(status);
    expect(response.headers?.["content-type"]?.[0]?.value).toMatch(/^text\/plain/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: uri.slice(1) }))).rejects.toMatchObject(
      {
        $metadata: { httpStatusCode: 404 },
      },
    );
  });

  it("rasterises an SVG with a script: the script is never run, the variant is pixels only", async () => {
    const response = await handler(originResponse("/img/uploads/script.svg/w160.png"));
    expect(response.status).toBe("404");
    const raster = await handler(originResponse("/img/uploads/script.svg/w160.webp"));
    expect(raster.status).toBe("200");
    expect(bodyOf(raster).includes("script")).toBe(false);
  });
});
