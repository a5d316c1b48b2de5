// SigV4 verification for every local stand-in: one import for the verifier (sigv4/verify.ts), the canonical
// forms and signing key it uses (sigv4/canonical.ts) and aws-chunked bodies (sigv4/chunked.ts).
export { credentialScope, sameSignature, sha256Hex, signingKey } from "./sigv4/canonical.ts";
export {
  AwsChunkedDecoder,
  AwsChunkedError,
  type AwsChunkedErrorCode,
  chunkSignature,
  trailerSignature,
} from "./sigv4/chunked.ts";
export { maxPresignedExpirySeconds, parseAmzDate, parseCredential, parseQuery } from "./sigv4/claim.ts";
export {
  type ChunkSigning,
  maxClockSkewMilliseconds,
  type PayloadClaim,
  type SignatureCheckOptions,
  type SignatureErrorCode,
  type SignatureVerdict,
  type SignedRequest,
  type SigningCredentials,
  signedRequestOf,
  verifySignature,
} from "./sigv4/verify.ts";
