// The images bucket's CORS rule for uploads. A presigned POST is sent by the browser straight to the bucket's
// own endpoint (S3 User Guide, "Browser-based uploads using HTTP POST": the form is authenticated by its
// signed policy, https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html), not through
// CloudFront: under origin access control CloudFront signs every origin request with its own SigV4
// (SigningBehavior "always" overwrites the viewer's Authorization), and OAC's documented dynamic requests to
// S3 are PUT and DELETE (CloudFront Developer Guide, "Restrict access to an Amazon S3 origin"); a POST form
// policy is not among them. So the page, on the site's origin, makes a cross-origin request, which S3 allows
// only by the bucket's CORS configuration (S3 User Guide, "Using cross-origin resource sharing (CORS)").
// An XMLHttpRequest with upload progress listeners is always preflighted (Fetch Standard, "CORS-preflight
// flag"; XMLHttpRequest Standard, send(): "upload listener flag"), so the rule must answer OPTIONS too.
import type { CORSRule } from "@aws-sdk/client-s3";

/** The one rule: the site's pages (on any of its origins) may POST an upload and read the answer's ETag. */
export function uploadCorsRules(siteOrigins: readonly string[]): CORSRule[] {
  return [
    {
      ID: "goodgreets-upload-form",
      AllowedOrigins: [...siteOrigins],
      AllowedMethods: ["POST"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 600,
    },
  ];
}
