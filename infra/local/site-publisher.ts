// Publishes the built site and the catalog art to the local buckets, as the deploy does in AWS: only
// changed files are uploaded (compared by MD5 ETag), removed ones deleted, each with its content type
// and a Cache-Control derived from the distribution's cache policies.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type BehaviourDeclaration, distribution } from "../../edge/distribution.ts";
import { matchBehaviour } from "./edge/behaviour-match.ts";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

export function contentTypeFor(key: string): string {
  return contentTypes[extname(key).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The Cache-Control an object is published with, from the cache policy of the behaviour that serves its
 * path, so the TTLs are declared once (edge/distribution.ts). A policy that fixes the TTL (minimum =
 * maximum) is for content-hashed names: everyone may keep them that long. Pages stay at the edge for the
 * policy's default TTL while browsers revalidate, so a deploy shows within it; anything else may be kept
 * by browsers for the default TTL too.
 */
export function cacheControlFor(
  key: string,
  behaviours: readonly BehaviourDeclaration[] = distribution.behaviours,
): string {
  const policy = matchBehaviour(behaviours, `/${key}`).cachePolicy;
  if (policy.minTtlSeconds === policy.maxTtlSeconds && policy.maxTtlSeconds > 0)
    return `public, max-age=${policy.maxTtlSeconds}, immutable`;
  if (contentTypeFor(key).startsWith("text/html"))
    return `public, max-age=0, s-maxage=${policy.defaultTtlSeconds}, must-revalidate`;
  return `public, max-age=${policy.defaultTtlSeconds}`;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .toSorted();
}

export interface PublishResult {
  uploaded: number;
  unchanged: number;
  deleted: number;
}

/** Makes `bucket` (under `prefix`) hold exactly the files of `folder`. */
export async function publishFolder(
  s3: S3Client,
  bucket: string,
  folder: string,
  prefix = "",
): Promise<PublishResult> {
  const existing = new Map<string, string>();
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
    );
    for (const object of page.Contents ?? []) if (object.Key) existing.set(object.Key, object.ETag ?? "");
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);

  const result: PublishResult = { uploaded: 0, unchanged: 0, deleted: 0 };
  const files = await filesUnder(folder);
  for (const file of files) {
    const key = `${prefix}${file}`;
    const body = await readFile(join(folder, file));
    const etag = `"${createHash("md5").update(body).digest("hex")}"`;
    if (existing.get(key) === etag) {
      result.unchanged += 1;
    } else {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentTypeFor(key),
          CacheControl: cacheControlFor(key),
        }),
      );
      result.uploaded += 1;
    }
    existing.delete(key);
  }
  const stale = [...existing.keys()];
  for (let index = 0; index < stale.length; index += 1000) {
    const batch = stale.slice(index, index + 1000);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    result.deleted += batch.length;
  }
  return result;
}
