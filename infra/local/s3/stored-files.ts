// How the S3 stand-in keeps files on disk: a body streamed to its own file and hashed on the way, and small
// records replaced whole by a rename, so a crash leaves the old record or the new one, never half of one.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Digests of a body as it was written, for the caller's integrity checks before the object is committed. */
export interface BodyDigests {
  md5: Buffer;
  size: number;
}

/** Streams `body` into a new file at `path`, hashing it on the way; a failed write leaves no file. */
export async function writeBodyFile(body: Readable, path: string): Promise<BodyDigests> {
  const tap = new Md5Tap();
  try {
    await pipeline(body, tap, createWriteStream(path, { flush: true }));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { md5: tap.hash.digest(), size: tap.size };
}

class Md5Tap extends Transform {
  readonly hash = createHash("md5");
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
}

export const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** Replaces `path` whole: written under a name of its own, flushed, then renamed into place. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const pending = `${path}.${randomUUID()}.tmp`;
  await writeFile(pending, text, { flush: true });
  await rename(pending, path);
}

/** A file's text; undefined when there is none (any other I/O error is thrown). */
export async function readTextIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A JSON record written whole by replaceFile; undefined when there is none. */
export async function readJsonIfPresent<T>(path: string): Promise<T | undefined> {
  const text = await readTextIfPresent(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
