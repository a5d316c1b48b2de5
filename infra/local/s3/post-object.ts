// S3's browser upload (POST Object with a form): the signed policy checked before the file is read, the file
// streamed to disk and held to the policy's content-length-range, nothing stored when any rule fails.
import { Transform, type TransformCallback } from "node:stream";
import { parseAmzDate, parseCredential, sameSignature } from "../aws-signature.ts";
import { localCredentials, localEdgeIdentity, localRegion } from "../config.ts";
import { hmacHex, signingKey } from "../sigv4/canonical.ts";
import { drain } from "./body.ts";
import { accessDenied, type S3Error, s3Error } from "./errors.ts";
import { FormBodyError, formBoundary, readForm } from "./form-data.ts";
import { attributesFrom } from "./object-attributes.ts";
import { checkPostPolicy, parsePostPolicy } from "./post-policy.ts";
import type { Reply, S3Context, S3Request } from "./request.ts";
import { postResponseDocument } from "./xml.ts";

/** S3 reads at most 20 KB of form fields before the file (error MaxPostPreDataLengthExceededError). */
export const maxFieldBytes = 20 * 1024;
const maxKeyBytes = 1024;
const secrets = [localCredentials, localEdgeIdentity.credentials];

class FileTooLarge extends Error {}

/** Stops the file the moment it passes the policy's maximum, so the rest is never written. */
class SizeCap extends Transform {
  size = 0;
  private readonly max: number;
  constructor(max: number) {
    super();
    this.max = max;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.max) callback(new FileTooLarge());
    else callback(null, chunk);
  }
}

/** The signer's access key id when the form's SigV4 fields sign its policy; otherwise S3's refusal. */
function formSigner(fields: ReadonlyMap<string, string>, now: number): string | S3Error {
  const policy = fields.get("policy");
  const signature = fields.get("x-amz-signature");
  if (policy === undefined || signature === undefined) return accessDenied();
  if (fields.get("x-amz-algorithm") !== "AWS4-HMAC-SHA256") {
    return s3Error("InvalidArgument", "The x-amz-algorithm field must be AWS4-HMAC-SHA256.");
  }
  const credential = parseCredential(fields.get("x-amz-credential") ?? "");
  const date = parseAmzDate(fields.get("x-amz-date") ?? "");
  if (!credential || date === undefined || credential.region !== localRegion || credential.service !== "s3") {
    return s3Error(
      "InvalidArgument",
      "The x-amz-credential or x-amz-date field is malformed or for another scope.",
    );
  }
  if (date - now > 15 * 60 * 1000) return s3Error("AccessDenied", "Request is not valid yet");
  const secret = secrets.find((candidate) => candidate.accessKeyId === credential.accessKeyId);
  if (!secret) {
    return s3Error(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      {
        AWSAccessKeyId: credential.accessKeyId,
      },
    );
  }
  // The form's signature is over the base64 policy itself (S3 API Reference, "POST Policy" signing).
  const key = signingKey(secret.secretAccessKey, credential.shortDate, credential.region, credential.service);
  if (!sameSignature(hmacHex(key, policy), signature)) {
    return s3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
    );
  }
  return credential.accessKeyId;
}

function successReply(
  fields: ReadonlyMap<string, string>,
  result: { bucket: string; key: string; etag: string },
): Reply {
  const location = `/${encodeURIComponent(result.bucket)}/${result.key.split("/").map(encodeURIComponent).join("/")}`;
  const headers = { etag: result.etag, location };
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect) {
    const target = new URL(redirect);
    target.searchParams.set("bucket", result.bucket);
    target.searchParams.set("key", result.key);
    target.searchParams.set("etag", result.etag);
    return { status: 303, headers: { ...headers, location: target.toString() } };
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    return {
      status: 201,
      headers: { ...headers, "content-type": "application/xml" },
      body: postResponseDocument({ location, ...result }),
    };
  }
  return { status: status === "200" ? 200 : 204, headers };
}

export async function postObject(
  context: S3Context,
  request: S3Request,
  bucket: string,
): Promise<Reply | S3Error> {
  const boundary = formBoundary(request.headers["content-type"]);
  if (!boundary)
    return s3Error(
      "MalformedPOSTRequest",
      "The body of your POST request is not well-formed multipart/form-data.",
    );
  const release = context.budget.reserve(2 * maxFieldBytes);
  if (!release) return s3Error("SlowDown", "Please reduce your request rate.");
  let form: Awaited<ReturnType<typeof readForm>>;
  try {
    form = await readForm(request.incoming, boundary, maxFieldBytes);
  } catch (error) {
    if (error instanceof FormBodyError) return s3Error("IncompleteBody", error.message);
    throw error;
  } finally {
    release();
  }
  if (form === "fields-too-large") {
    return s3Error(
      "MaxPostPreDataLengthExceededError",
      "Your POST request fields preceeding the upload file was too large.",
      {
        MaxPostPreDataLengthBytes: String(maxFieldBytes),
      },
    );
  }
  if (form === "no-file") {
    return s3Error(
      "IncorrectNumberOfFilesInPostRequest",
      "POST requires exactly one file upload per request.",
    );
  }
  if (form === "malformed") {
    return s3Error(
      "MalformedPOSTRequest",
      "The body of your POST request is not well-formed multipart/form-data.",
    );
  }
  const { fields } = form;
  const signer = formSigner(fields, context.now());
  if (typeof signer !== "string") return signer;
  const policy = parsePostPolicy(fields.get("policy") ?? "");
  if (typeof policy === "string") return s3Error("InvalidPolicyDocument", policy);
  const verdict = checkPostPolicy(policy, fields, bucket, context.now());
  if (!verdict.ok) return s3Error(verdict.code, verdict.message);
  const keyField = fields.get("key");
  if (keyField === undefined) {
    return s3Error(
      "InvalidArgument",
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      {
        ArgumentName: "key",
      },
    );
  }
  // S3 puts the uploaded file's name where the key says ${filename}.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal placeholder, not a template.
  const key = keyField.replaceAll("${filename}", form.fileName);
  if (key === "" || Buffer.byteLength(key) > maxKeyBytes) {
    return s3Error("KeyTooLongError", "Your key is too long", { Size: String(Buffer.byteLength(key)) });
  }
  if (!context.accessFor(signer)?.allows("s3:PutObject", bucket, key)) return accessDenied();
  // Content-Type, Cache-Control, x-amz-meta-* and the like come from form fields, named as the headers are.
  const attributes = attributesFrom(Object.fromEntries(fields));
  if ("code" in attributes) return attributes;
  const range = verdict.sizeRange;
  const cap = new SizeCap(range?.max ?? 5 * 1024 ** 3);
  form.file.once("error", (error) => cap.destroy(error));
  let outcome: Awaited<ReturnType<typeof context.store.put<S3Error>>>;
  try {
    outcome = await context.store.put(
      bucket,
      key,
      form.file.pipe(cap),
      attributes,
      context.now(),
      ({ size }) =>
        range && size < range.min
          ? s3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
              ProposedSize: String(size),
              MinSizeAllowed: String(range.min),
            })
          : undefined,
    );
  } catch (error) {
    if (error instanceof FileTooLarge) {
      return s3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
        ProposedSize: String(cap.size),
        MaxSizeAllowed: String(range?.max ?? 0),
      });
    }
    if (error instanceof FormBodyError) return s3Error("IncompleteBody", error.message);
    throw error;
  } finally {
    await drain(request.incoming);
  }
  if (!outcome) return s3Error("NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
  if (!outcome.ok) return outcome.problem;
  return successReply(fields, { bucket, key, etag: outcome.object.etag });
}
