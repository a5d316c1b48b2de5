// Which bucket and key a request names. S3 keeps "." and ".." segments (and their %2e forms) as key characters:
// the decoded path after the bucket is the key, exactly, so no request can step out of the bucket it names.

export interface Address {
  bucket: string | undefined;
  key: string | undefined;
}

/** Virtual-hosted style: "<bucket>.s3.<anything>" in the Host header (S3 User Guide, "Virtual hosting"). */
const virtualHost = /^([a-z0-9][a-z0-9.-]*[a-z0-9])\.s3[.-]/;

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    // Percent-encoding that is not UTF-8 cannot name a bucket or key.
    return undefined;
  }
}

/**
 * The bucket and key of a request from its Host header and raw (still encoded) path; undefined when the path
 * does not decode or does not start with "/". A path-style key starts after the first "/" that ends the bucket.
 */
export function addressOf(host: string | undefined, rawPath: string): Address | undefined {
  if (!rawPath.startsWith("/")) return undefined;
  const hostBucket = host === undefined ? undefined : virtualHost.exec(host.toLowerCase())?.[1];
  if (hostBucket !== undefined) {
    const key = decode(rawPath.slice(1));
    if (key === undefined) return undefined;
    return { bucket: hostBucket, key: key === "" ? undefined : key };
  }
  const rest = rawPath.slice(1);
  const slash = rest.indexOf("/");
  const bucket = decode(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? "" : decode(rest.slice(slash + 1));
  if (bucket === undefined || key === undefined) return undefined;
  // "//key" names no bucket; it must not fall through to the account's bucket listing.
  if (bucket === "" && key !== "") return undefined;
  return { bucket: bucket === "" ? undefined : bucket, key: key === "" ? undefined : key };
}
