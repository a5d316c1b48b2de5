// The bucket policy Origin Access Control needs: CloudFront's service principal may read a bucket's objects,
// and only on behalf of one distribution. The local stack and the CDK app put the same document on a bucket.
// Source: CloudFront Developer Guide, "Restricting access to an Amazon S3 origin" (OAC bucket policy example).

export interface BucketPolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal: { Service: string };
  Action: string;
  Resource: string;
  Condition: { StringEquals: { "AWS:SourceArn": string } };
}

export interface BucketPolicyDocument {
  Version: "2012-10-17";
  Statement: BucketPolicyStatement[];
}

/**
 * s3:GetObject on every object of `bucket` for cloudfront.amazonaws.com when the request comes from
 * `distributionArn`. No s3:ListBucket, so a missing key answers 403, as S3 does without it.
 */
export function originAccessPolicy(bucket: string, distributionArn: string): BucketPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowCloudFrontServicePrincipalReadOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
      },
    ],
  };
}
