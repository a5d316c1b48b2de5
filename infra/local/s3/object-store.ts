// Buckets and objects on disk: bodies streamed to uniquely named files, metadata in a JSON sidecar per key whose
// rename is the commit point (stored-files.ts), so a crash leaves either the old object or the new one.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Bucket, type BucketRecord, isValidBucketName } from "./bucket.ts";
import { type BucketPolicy, parseBucketPolicy } from "./bucket-policy.ts";
import type { CorsRule } from "./cors-config.ts";
import { compareKeys } from "./listing.ts";
import {
  type BodyDigests,
  isMissing,
  readJsonIfPresent,
  readTextIfPresent,
  replaceFile,
  writeBodyFile,
} from "./stored-files.ts";

/** What S3 keeps about an object besides its bytes. */
export interface ObjectAttributes {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  /** x-amz-meta-* without the prefix, names in lower case. */
  metadata: Record<string, string>;
}

export interface StoredObject extends ObjectAttributes {
  key: string;
  size: number;
  /** Quoted MD5 hex, as S3 answers for a single-part upload. */
  etag: string;
  /** Milliseconds since the epoch, whole seconds (what Last-Modified can carry). */
  lastModified: number;
  /** Name of the body file inside the bucket's objects folder. */
  bodyFile: string;
}

/** Keys never become paths: the file name is a hash, so `../`, `/`, spaces or NUL cannot steer where bytes go. */
function fileStemOf(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export type PutOutcome<Problem> = { ok: true; object: StoredObject } | { ok: false; problem: Problem };

export class ObjectStore {
  private readonly bucketsFolder: string;
  private readonly buckets = new Map<string, Bucket>();
  /** Commits of one key run one after another so the index and the sidecar on disk agree. */
  private readonly commits = new Map<string, Promise<unknown>>();

  private constructor(dataDir: string) {
    this.bucketsFolder = join(dataDir, "buckets");
  }

  /** Opens (or creates) the store in `dataDir`, sweeping what an interrupted write left behind. */
  static async open(dataDir: string): Promise<ObjectStore> {
    const store = new ObjectStore(dataDir);
    await mkdir(store.bucketsFolder, { recursive: true });
    for (const entry of await readdir(store.bucketsFolder, { withFileTypes: true })) {
      if (!entry.isDirectory() || !isValidBucketName(entry.name)) continue;
      const folder = join(store.bucketsFolder, entry.name);
      const record = await readJsonIfPresent<BucketRecord>(join(folder, "bucket.json"));
      // A folder without its record is a bucket whose deletion was interrupted (the record goes first).
      if (!record) continue;
      const bucket = new Bucket(record, folder);
      await mkdir(bucket.objectsFolder, { recursive: true });
      await store.load(bucket);
      await store.loadPolicy(bucket);
      bucket.cors = await readJsonIfPresent<CorsRule[]>(join(folder, "cors.json"));
      store.buckets.set(record.name, bucket);
    }
    return store;
  }

  private async loadPolicy(bucket: Bucket): Promise<void> {
    const text = await readTextIfPresent(join(bucket.folder, "policy.json"));
    if (text === undefined) return;
    const parsed = parseBucketPolicy(text, bucket.record.name);
    if (!parsed.ok)
      throw new Error(
        `the stored policy of bucket ${bucket.record.name} no longer parses: ${parsed.message}`,
      );
    bucket.policy = { text, parsed: parsed.policy };
  }

  corsOf(bucketName: string): readonly CorsRule[] | undefined {
    return this.buckets.get(bucketName)?.cors;
  }

  /** Replaces (or with `rules` undefined, removes) a bucket's CORS configuration, on disk first. */
  async setCors(bucketName: string, rules: readonly CorsRule[] | undefined): Promise<void> {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return;
    const file = join(bucket.folder, "cors.json");
    if (rules) await replaceFile(file, JSON.stringify(rules));
    else await rm(file, { force: true });
    bucket.cors = rules;
  }

  policyOf(bucketName: string): { text: string; parsed: BucketPolicy } | undefined {
    return this.buckets.get(bucketName)?.policy;
  }

  /** Replaces (or with `policy` undefined, removes) a bucket's policy, on disk first. */
  async setPolicy(
    bucketName: string,
    policy: { text: string; parsed: BucketPolicy } | undefined,
  ): Promise<void> {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return;
    const file = join(bucket.folder, "policy.json");
    if (policy) await replaceFile(file, policy.text);
    else await rm(file, { force: true });
    bucket.policy = policy;
  }

  private async load(bucket: Bucket): Promise<void> {
    const files = await readdir(bucket.objectsFolder);
    const referenced = new Set<string>();
    for (const file of files.filter((name) => name.endsWith(".json"))) {
      try {
        const object = JSON.parse(await readFile(join(bucket.objectsFolder, file), "utf8")) as StoredObject;
        bucket.remember(object);
        referenced.add(file).add(object.bodyFile);
      } catch (error) {
        // Sidecars are renamed into place whole, so one that does not parse was damaged after the fact: drop it.
        if (!(error instanceof SyntaxError)) throw error;
      }
    }
    // Bodies no sidecar names were being written when the process stopped; pending sidecars were never committed.
    for (const file of files.filter((name) => !referenced.has(name))) {
      await rm(join(bucket.objectsFolder, file), { force: true });
    }
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()]
      .map((bucket) => bucket.record)
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  async createBucket(name: string, now: number): Promise<"created" | "exists"> {
    if (this.buckets.has(name)) return "exists";
    const folder = join(this.bucketsFolder, name);
    const record: BucketRecord = { name, creationDate: new Date(now).toISOString() };
    const bucket = new Bucket(record, folder);
    await mkdir(bucket.objectsFolder, { recursive: true });
    await replaceFile(join(folder, "bucket.json"), JSON.stringify(record));
    this.buckets.set(name, bucket);
    return "created";
  }

  async deleteBucket(name: string): Promise<"deleted" | "missing" | "not-empty"> {
    const bucket = this.buckets.get(name);
    if (!bucket) return "missing";
    if (bucket.objects.size > 0) return "not-empty";
    this.buckets.delete(name);
    // The record goes first: a crash after it leaves only an empty folder, which opening skips.
    await rm(join(bucket.folder, "bucket.json"), { force: true });
    await rm(bucket.folder, { recursive: true, force: true });
    return "deleted";
  }

  /** The object's keys in listing order; undefined when the bucket does not exist. */
  sortedKeys(bucketName: string): readonly string[] | undefined {
    return this.buckets.get(bucketName)?.sortedKeys;
  }

  head(bucketName: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucketName)?.objects.get(key);
  }

  /**
   * Opens the body of `object` for reading, or undefined when it was replaced or deleted in the meantime.
   * The file is opened before anything is sent, so a later overwrite cannot cut the response short.
   */
  async openBody(
    bucketName: string,
    object: StoredObject,
    range?: { start: number; end: number },
  ): Promise<ReadStream | undefined> {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return undefined;
    try {
      const handle = await open(join(bucket.objectsFolder, object.bodyFile), "r");
      return createReadStream("", { fd: handle, ...range });
    } catch (error) {
      // Replaced or deleted since it was looked up: the caller answers as if it had not been found.
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Streams `body` into a new object. `check` sees the written bytes' digests after the body ended and may refuse
   * the object (a digest mismatch); a refused or failed write leaves the previous object untouched.
   */
  async put<Problem>(
    bucketName: string,
    key: string,
    body: Readable,
    attributes: ObjectAttributes,
    now: number,
    check: (digests: BodyDigests) => Problem | undefined,
    /** A multipart upload's ETag ("<md5 of part md5s>-<parts>") instead of the body's MD5. */
    etag?: string,
  ): Promise<PutOutcome<Problem> | undefined> {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return undefined;
    const stem = fileStemOf(key);
    const bodyFile = `${stem}.${randomUUID()}.body`;
    const bodyPath = join(bucket.objectsFolder, bodyFile);
    const { md5, size } = await writeBodyFile(body, bodyPath);
    const problem = check({ md5, size });
    if (problem !== undefined) {
      await rm(bodyPath, { force: true });
      return { ok: false, problem };
    }
    const object: StoredObject = {
      key,
      size,
      etag: etag ?? `"${md5.toString("hex")}"`,
      lastModified: Math.floor(now / 1000) * 1000,
      bodyFile,
      ...attributes,
    };
    await this.commit(bucket, object);
    return { ok: true, object };
  }

  /** Copies an object's bytes under a new key with the given attributes (S3's CopyObject). */
  async copy(
    source: { bucket: string; object: StoredObject },
    target: { bucket: string; key: string },
    attributes: ObjectAttributes,
    now: number,
  ): Promise<StoredObject | undefined> {
    const body = await this.openBody(source.bucket, source.object);
    if (!body) return undefined;
    const outcome = await this.put(target.bucket, target.key, body, attributes, now, () => undefined);
    return outcome?.ok ? outcome.object : undefined;
  }

  /** Removes an object; true when there was one. */
  async delete(bucketName: string, key: string): Promise<boolean> {
    const bucket = this.buckets.get(bucketName);
    const existing = bucket?.objects.get(key);
    if (!bucket || !existing) return false;
    await this.serially(bucket, key, async () => {
      const current = bucket.objects.get(key);
      if (!current) return;
      bucket.forget(key);
      await rm(join(bucket.objectsFolder, `${fileStemOf(key)}.json`), { force: true });
      await rm(join(bucket.objectsFolder, current.bodyFile), { force: true });
    });
    return true;
  }

  private async commit(bucket: Bucket, object: StoredObject): Promise<void> {
    await this.serially(bucket, object.key, async () => {
      const sidecar = join(bucket.objectsFolder, `${fileStemOf(object.key)}.json`);
      await replaceFile(sidecar, JSON.stringify(object));
      const previous = bucket.objects.get(object.key);
      bucket.remember(object);
      if (previous && previous.bodyFile !== object.bodyFile) {
        await rm(join(bucket.objectsFolder, previous.bodyFile), { force: true });
      }
    });
  }

  private async serially(bucket: Bucket, key: string, work: () => Promise<void>): Promise<void> {
    const lock = `${bucket.record.name}/${key}`;
    const before = this.commits.get(lock) ?? Promise.resolve();
    const mine = before.then(work, work);
    this.commits.set(lock, mine);
    try {
      await mine;
    } finally {
      if (this.commits.get(lock) === mine) this.commits.delete(lock);
    }
  }
}
