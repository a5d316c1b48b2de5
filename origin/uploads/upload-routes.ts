// The upload routes: POST /api/uploads grants a presigned POST of at most maxUploadBytes into uploads/
// (the edge lets it through only after the WAF CAPTCHA); POST /api/uploads/<id>/check judges the file by
// its content and, if it is a picture, moves it to img/uploads/ where the edge serves its variants.
// Nothing refused is kept: the uploaded object is deleted whatever the verdict.
import { randomBytes } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import type { Hono } from "hono";
import type { ApiEnv } from "../api/app.ts";
import { ApiError, notFound } from "../api/errors.ts";
import { checkUpload, maxUploadBytes, type UploadFormat, type UploadVerdict } from "./content-check.ts";

export interface UploadDependencies {
  /** Signs the grant and reads, moves and deletes uploads: the API's role in AWS. */
  s3: S3Client;
  /** The images bucket: uploads/ for files not yet checked, img/uploads/ for accepted pictures. */
  bucket: string;
}

/** How long a grant may be used. */
export const uploadGrantSeconds = 300;
const uploadIdPattern = /^[A-Za-z0-9_-]{22}$/;
const extensions: Record<UploadFormat, string> = {
  jpeg: "jpg",
  png: "png",
  webp: "webp",
  gif: "gif",
  avif: "avif",
};
const contentTypes: Record<UploadFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  avif: "image/avif",
};

export function registerUploadRoutes(app: Hono<ApiEnv>, { s3, bucket }: UploadDependencies): void {
  app.post("/api/uploads", async (context) => {
    // 128 random bits: the picture's URL is as hard to guess as a card's capability link.
    const uploadId = randomBytes(16).toString("base64url");
    const grant = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: `uploads/${uploadId}`,
      Conditions: [["content-length-range", 1, maxUploadBytes]],
      Expires: uploadGrantSeconds,
    });
    return context.json({ uploadId, url: grant.url, fields: grant.fields, maxBytes: maxUploadBytes }, 201);
  });

  app.post("/api/uploads/:uploadId/check", async (context) => {
    const uploadId = context.req.param("uploadId");
    if (!uploadIdPattern.test(uploadId))
      throw new ApiError(
        400,
        "invalid_upload_id",
        "The upload id is 22 letters, digits, '-' or '_'.",
        "uploadId",
      );
    const key = `uploads/${uploadId}`;
    /** Undefined when the object is over the limit (the grant's range keeps S3 from taking such a file). */
    let bytes: Buffer | undefined;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((object.ContentLength ?? 0) > maxUploadBytes) await object.Body?.transformToWebStream().cancel();
      else bytes = Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
    } catch (error) {
      if (error instanceof NoSuchKey)
        throw notFound("No file was uploaded for this id; send the file first.", "uploadId");
      throw error;
    }
    const verdict: UploadVerdict = bytes
      ? await checkUpload(bytes)
      : { ok: false, problem: "too_large", message: `The file is over ${maxUploadBytes / 1024 / 1024} MB.` };
    if (verdict.ok) {
      const url = `/img/uploads/${uploadId}.${extensions[verdict.format]}`;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: url.slice(1),
          Body: bytes,
          ContentType: contentTypes[verdict.format],
          CacheControl: "public, max-age=31536000, immutable",
        }),
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      const { width, height, animated } = verdict;
      return context.json({ image: { url, width, height, animated } }, 201);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    throw new ApiError(422, verdict.problem, verdict.message, "file");
  });
}
