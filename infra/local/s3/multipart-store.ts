// Multipart uploads on disk: each upload a folder of part files with JSON sidecars, assembled into one object
// by the object store on completion; a part's sidecar rename is its commit, as for objects.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ObjectAttributes } from "./object-store.ts";
import { type BodyDigests, isMissing, replaceFile, writeBodyFile } from "./stored-files.ts";

export interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  attributes: ObjectAttributes;
  initiated: number;
}

export interface Part {
  partNumber: number;
  /** Quoted MD5 hex of the part's bytes. */
  etag: string;
  md5Hex: string;
  size: number;
  lastModified: number;
  file: string;
}

interface OpenUpload {
  record: Upload;
  parts: Map<number, Part>;
  /** Set once completion or abort started: later part uploads see NoSuchUpload. */
  closed: boolean;
}

export type PartOutcome<Problem> = { ok: true; part: Part } | { ok: false; problem: Problem };

export class MultipartUploads {
  private readonly folder: string;
  private readonly uploads = new Map<string, OpenUpload>();

  private constructor(dataDir: string) {
    this.folder = join(dataDir, "uploads");
  }

  /** Opens the uploads kept in `dataDir`, so an unfinished upload survives a restart as it does in S3. */
  static async open(dataDir: string): Promise<MultipartUploads> {
    const uploads = new MultipartUploads(dataDir);
    await mkdir(uploads.folder, { recursive: true });
    for (const uploadId of await readdir(uploads.folder)) {
      const folder = join(uploads.folder, uploadId);
      let record: Upload;
      try {
        record = JSON.parse(await readFile(join(folder, "upload.json"), "utf8")) as Upload;
      } catch (error) {
        // An upload whose record was never written (or was being removed) is swept.
        if (!isMissing(error) && !(error instanceof SyntaxError)) throw error;
        await rm(folder, { recursive: true, force: true });
        continue;
      }
      const parts = new Map<number, Part>();
      const files = await readdir(folder);
      const referenced = new Set(["upload.json"]);
      for (const file of files.filter((name) => /^part-\d+\.json$/.test(name))) {
        const part = JSON.parse(await readFile(join(folder, file), "utf8")) as Part;
        parts.set(part.partNumber, part);
        referenced.add(file).add(part.file);
      }
      for (const file of files.filter((name) => !referenced.has(name)))
        await rm(join(folder, file), { force: true });
      uploads.uploads.set(uploadId, { record, parts, closed: false });
    }
    return uploads;
  }

  async create(bucket: string, key: string, attributes: ObjectAttributes, now: number): Promise<Upload> {
    const uploadId = randomBytes(24).toString("base64url");
    const record: Upload = { uploadId, bucket, key, attributes, initiated: now };
    const folder = join(this.folder, uploadId);
    await mkdir(folder, { recursive: true });
    await replaceFile(join(folder, "upload.json"), JSON.stringify(record));
    this.uploads.set(uploadId, { record, parts: new Map(), closed: false });
    return record;
  }

  /** The open upload with this id for this bucket and key, as S3 matches them. */
  find(uploadId: string, bucket: string, key: string): Upload | undefined {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.closed || upload.record.bucket !== bucket || upload.record.key !== key)
      return undefined;
    return upload.record;
  }

  /** Streams one part to disk; `check` may refuse it after the body ended, leaving the previous part in place. */
  async putPart<Problem>(
    uploadId: string,
    partNumber: number,
    body: Readable,
    now: number,
    check: (digests: BodyDigests) => Problem | undefined,
  ): Promise<PartOutcome<Problem> | undefined> {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.closed) return undefined;
    const folder = join(this.folder, uploadId);
    const file = `part-${partNumber}.${randomBytes(8).toString("hex")}.body`;
    const digests = await writeBodyFile(body, join(folder, file));
    const problem = check(digests);
    if (problem !== undefined || upload.closed) {
      await rm(join(folder, file), { force: true });
      return problem !== undefined ? { ok: false, problem } : undefined;
    }
    const md5Hex = digests.md5.toString("hex");
    const part: Part = {
      partNumber,
      etag: `"${md5Hex}"`,
      md5Hex,
      size: digests.size,
      lastModified: Math.floor(now / 1000) * 1000,
      file,
    };
    const sidecar = join(folder, `part-${partNumber}.json`);
    await replaceFile(sidecar, JSON.stringify(part));
    const previous = upload.parts.get(partNumber);
    upload.parts.set(partNumber, part);
    if (previous) await rm(join(folder, previous.file), { force: true });
    return { ok: true, part };
  }

  /** The uploaded parts in part-number order. */
  parts(uploadId: string): Part[] {
    const parts = [...(this.uploads.get(uploadId)?.parts.values() ?? [])];
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Marks the upload closed and gives the bytes of the chosen parts, in order, as one stream. */
  assemble(uploadId: string, chosen: readonly Part[]): Readable | undefined {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.closed) return undefined;
    upload.closed = true;
    const folder = join(this.folder, uploadId);
    async function* bytes() {
      for (const part of chosen) yield* createReadStream(join(folder, part.file));
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** Reopens an upload whose assembly failed, so the client may retry CompleteMultipartUpload. */
  reopen(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (upload) upload.closed = false;
  }

  /** Forgets the upload and removes its parts (after completion, or on AbortMultipartUpload). */
  async remove(uploadId: string): Promise<void> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    upload.closed = true;
    this.uploads.delete(uploadId);
    await rm(join(this.folder, uploadId), { recursive: true, force: true });
  }
}

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-" and the number of parts. */
export function multipartEtag(parts: readonly Part[]): string {
  const hash = createHash("md5");
  for (const part of parts) hash.update(Buffer.from(part.md5Hex, "hex"));
  return `"${hash.digest("hex")}-${parts.length}"`;
}
