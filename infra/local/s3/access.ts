// Who may do what in the S3 stand-in: the account's own key may do anything its bucket policies do not deny;
// the edge's identity (CloudFront's service principal under OAC) only what a bucket policy grants it.

import type { SigningCredentials } from "../aws-signature.ts";
import { localAccountId, localCredentials, localEdgeIdentity } from "../config.ts";
import { type BucketPolicy, policyDecision, type Requester } from "./bucket-policy.ts";

export interface Identity {
  credentials: SigningCredentials;
  requester: Requester;
  /** Account principals are also granted by their identity policy; a service principal only by the bucket's. */
  accountAdmin: boolean;
}

/** The identities the stand-in knows, by access key id. */
export const knownIdentities: readonly Identity[] = [
  {
    credentials: localCredentials,
    requester: { accountId: localAccountId, context: { "aws:sourceaccount": localAccountId } },
    accountAdmin: true,
  },
  {
    credentials: localEdgeIdentity.credentials,
    requester: {
      service: localEdgeIdentity.servicePrincipal,
      context: { "aws:sourcearn": localEdgeIdentity.distributionArn, "aws:sourceaccount": localAccountId },
    },
    accountAdmin: false,
  },
];

export function identityOf(accessKeyId: string): Identity | undefined {
  return knownIdentities.find((identity) => identity.credentials.accessKeyId === accessKeyId);
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** The question every handler asks before acting: may this identity do `action` on `resource` of `bucket`? */
export class Access {
  private readonly identity: Identity;
  private readonly policyOf: (bucket: string) => BucketPolicy | undefined;

  constructor(identity: Identity, policyOf: (bucket: string) => BucketPolicy | undefined) {
    this.identity = identity;
    this.policyOf = policyOf;
  }

  /** `bucket` undefined: an action on the account (ListAllMyBuckets), which no bucket policy can grant. */
  allows(action: string, bucket: string | undefined, key?: string): boolean {
    if (bucket === undefined) return this.identity.accountAdmin;
    const resource = key === undefined ? bucketArn(bucket) : objectArn(bucket, key);
    const decision = policyDecision(this.policyOf(bucket), this.identity.requester, action, resource);
    if (decision === "deny") return false;
    return decision === "allow" || this.identity.accountAdmin;
  }
}
