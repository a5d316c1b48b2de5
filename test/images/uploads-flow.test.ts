// Uploads through the whole local stack: the WAF CAPTCHA rule and the upload guard in front of the grant,
// the presigned POST to S3, the content check, then the accepted picture's variants from the edge; the
// attack corpus refused at the check with nothing kept.
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadCaptcha } from "../../edge/firewall.ts";
import { localBuckets } from "../../infra/local/config.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { standInS3Client } from "../../infra/local/stand-in-clients.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";
import * as corpus from "./corpus.ts";
import {
  requestGrant,
  solveCaptcha as solveLocalCaptcha,
  uploadAndCheck as uploadThrough,
} from "./upload-client.ts";

let testStack: TestStack | undefined;
let stack: LocalStack;
let s3: S3Client;
let clockOffset = 0;

beforeAll(async () => {
  testStack = await startTestStack("uploads-stack", {
    now: () => Date.now() + clockOffset,
  });
  stack = testStack.stack;
  s3 = standInS3Client(stack.s3.url);
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await testStack?.close();
});

const edge = (path: string, init: RequestInit = {}) => fetch(`${stack.edge.url}${path}`, init);

const solveCaptcha = () => solveLocalCaptcha(stack.edge.url);
const grant = (token?: string, extra: Record<string, string> = {}) =>
  requestGrant(stack.edge.url, token, extra);
const uploadAndCheck = (token: string, file: Buffer) => uploadThrough(stack.edge.url, token, file);

const keys = async (prefix: string) =>
  (
    (await s3.send(new ListObjectsV2Command({ Bucket: localBuckets.images, Prefix: prefix }))).Contents ?? []
  ).map((entry) => entry.Key);

describe("uploads through the local edge", { timeout: 90_000 }, () => {
  it("refuses a grant without a solved CAPTCHA, and a forged WAF header where the rule does not look", async () => {
    const refused = await grant();
    expect(refused.status).toBe(405);
    expect(refused.headers.get("x-amzn-waf-action")).toBe("captcha");
    // WAF's rule matches POST only; the guard still stands behind it on the behaviour.
    const forged = await edge("/api/uploads", { headers: { "x-amzn-waf-upload-captcha": "guess" } });
    expect(forged.status).toBe(405);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("captcha_required");
  });

  it("with a solved CAPTCHA grants an upload; the checked picture is served in variants", async () => {
    const token = await solveCaptcha();
    const { uploadId, posted, check } = await uploadAndCheck(token, await corpus.rotatedJpeg());
    expect(posted.status).toBe(204);
    expect(check.status).toBe(201);
    const { image } = (await check.json()) as { image: { url: string; width: number } };
    expect(image.url).toBe(`/img/uploads/${uploadId}.jpg`);
    expect(await keys(`uploads/${uploadId}`)).toEqual([]);

    const variant = await edge(`${image.url}?w=320`, { headers: { accept: "image/webp" } });
    expect(variant.status).toBe(200);
    expect(variant.headers.get("x-cache")).toBe("Miss from cloudfront");
    const picture = await sharp(Buffer.from(await variant.arrayBuffer())).metadata();
    expect([picture.format, picture.width, picture.height]).toEqual(["webp", 320, 427]);
    const again = await edge(`${image.url}?w=320`, { headers: { accept: "image/webp" } });
    expect(again.headers.get("x-cache")).toBe("Hit from cloudfront");
  });

  it("refuses an expired token", async () => {
    const token = await solveCaptcha();
    clockOffset += (uploadCaptcha.immunityTimeSeconds + 1) * 1000;
    try {
      const refused = await grant(token);
      expect(refused.status).toBe(405);
      expect(refused.headers.get("x-amzn-waf-action")).toBe("captcha");
    } finally {
      clockOffset = 0;
    }
  });

  it.each([
    ["a non-image with an image extension", () => Promise.resolve(corpus.htmlWithJpegName()), "not_an_image"],
    ["a JPEG/HTML polyglot", () => corpus.jpegHtmlPolyglot(), "hidden_content"],
    ["an SVG with a script", () => Promise.resolve(corpus.scriptSvg()), "svg_not_accepted"],
    ["a truncated JPEG", () => corpus.truncatedJpeg(), "damaged"],
    ["a decompression bomb", () => corpus.bombPng(), "too_many_pixels"],
  ])("refuses %s at the check and keeps nothing", async (_, make, code) => {
    const token = await solveCaptcha();
    const { uploadId, check } = await uploadAndCheck(token, await make());
    expect(check.status).toBe(422);
    expect(((await check.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await keys(`uploads/${uploadId}`)).toEqual([]);
    expect((await keys("img/uploads/")).filter((key) => key?.includes(uploadId))).toEqual([]);
  });

  it("refuses an over-size file at S3 through the grant's range, and a malformed upload id", async () => {
    const token = await solveCaptcha();
    const { posted, check } = await uploadAndCheck(token, Buffer.alloc(10 * 1024 * 1024 + 1, 1));
    expect(posted.status).toBe(400);
    expect(check.status).toBe(404);
    expect((await edge("/api/uploads/..%2F..%2Fimg/check", { method: "POST" })).status).toBe(400);
  });
});
