// The S3 error codes the stand-in answers with, each with the HTTP status S3 gives it.

const statuses = {
  AccessDenied: 403,
  AccessForbidden: 403,
  BadRequest: 400,
  SignatureDoesNotMatch: 403,
  InvalidAccessKeyId: 403,
  RequestTimeTooSkewed: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InvalidURI: 400,
  InvalidBucketName: 400,
  IllegalLocationConstraintException: 400,
  KeyTooLongError: 400,
  MetadataTooLarge: 400,
  InvalidDigest: 400,
  BadDigest: 400,
  XAmzContentSHA256Mismatch: 400,
  IncompleteBody: 400,
  EntityTooLarge: 400,
  MalformedXML: 400,
  MalformedPolicy: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceededError: 400,
  IncorrectNumberOfFilesInPostRequest: 400,
  InvalidPolicyDocument: 400,
  EntityTooSmall: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchBucketPolicy: 404,
  NoSuchCORSConfiguration: 404,
  MethodNotAllowed: 405,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  PreconditionFailed: 412,
  InvalidRange: 416,
  InternalError: 500,
  NotImplemented: 501,
  SlowDown: 503,
} as const;

export type S3ErrorCode = keyof typeof statuses;

export interface S3Error {
  code: S3ErrorCode;
  message: string;
  /** Extra elements of the error document, e.g. Key, BucketName, Condition. */
  detail?: Record<string, string>;
  /** Response headers S3 adds to this error, e.g. Content-Range on 416. */
  headers?: Record<string, string>;
}

export function statusOf(code: S3ErrorCode): number {
  return statuses[code];
}

export function s3Error(code: S3ErrorCode, message: string, detail?: Record<string, string>): S3Error {
  return detail ? { code, message, detail } : { code, message };
}

export const noSuchBucket = (bucket: string): S3Error =>
  s3Error("NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });

export const noSuchKey = (key: string): S3Error =>
  s3Error("NoSuchKey", "The specified key does not exist.", { Key: key });

export const notImplemented = (what: string): S3Error =>
  s3Error(
    "NotImplemented",
    `A header or parameter you provided implies functionality that is not implemented: ${what}`,
  );

export const accessDenied = (): S3Error => s3Error("AccessDenied", "Access Denied");

export const methodNotAllowed = (): S3Error =>
  s3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
