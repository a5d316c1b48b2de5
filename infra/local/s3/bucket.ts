// One bucket of the S3 stand-in as it is held in memory: its record, its objects by key and in listing
// order, and its policy and CORS rules; and S3's rules for a bucket's name.
import { join } from "node:path";
import type { BucketPolicy } from "./bucket-policy.ts";
import type { CorsRule } from "./cors-config.ts";
import { firstIndexAfter } from "./listing.ts";
import type { StoredObject } from "./object-store.ts";

export interface BucketRecord {
  name: string;
  creationDate: string;
}

/** S3's naming rules for general purpose buckets; they also keep a name safe as one directory name. */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith("xn--") &&
    !name.endsWith("-s3alias")
  );
}

export class Bucket {
  readonly record: BucketRecord;
  readonly folder: string;
  readonly objects = new Map<string, StoredObject>();
  /** Keys in S3 listing order, kept sorted as objects come and go. */
  readonly sortedKeys: string[] = [];
  /** The bucket policy as it was put (GetBucketPolicy answers the text) and as it is evaluated. */
  policy: { text: string; parsed: BucketPolicy } | undefined;
  /** The CORS rules PutBucketCors set; undefined when the bucket has none. */
  cors: readonly CorsRule[] | undefined;

  constructor(record: BucketRecord, folder: string) {
    this.record = record;
    this.folder = folder;
  }

  get objectsFolder(): string {
    return join(this.folder, "objects");
  }

  remember(object: StoredObject): void {
    if (!this.objects.has(object.key)) {
      this.sortedKeys.splice(firstIndexAfter(this.sortedKeys, object.key), 0, object.key);
    }
    this.objects.set(object.key, object);
  }

  forget(key: string): void {
    if (!this.objects.delete(key)) return;
    const index = firstIndexAfter(this.sortedKeys, key, true);
    if (this.sortedKeys[index] === key) this.sortedKeys.splice(index, 1);
  }
}
