// The local stack's edge: its functions built as the deploy builds them, the local CloudFront in front of
// the S3 and function URL stand-ins signing as the distribution's OAC, and the images bucket's upload CORS
// rules for the site's origin, known once the edge listens.
import { join } from "node:path";
import { PutBucketCorsCommand, type S3Client } from "@aws-sdk/client-s3";
import { distribution, withUploadOrigin, withWafCaptcha } from "../../edge/distribution.ts";
import { uploadCorsRules } from "../../origin/uploads/upload-cors.ts";
import { buildEdge, stopBuilding } from "../build/edge.ts";
import {
  localBuckets,
  localCredentials,
  localDistributionId,
  localEdgeIdentity,
  localRegion,
} from "./config.ts";
import { type LocalEdge, startLocalEdge } from "./edge/server.ts";

export interface StackEdgeOptions {
  repositoryRoot: string;
  siteFolder: string;
  dataDir: string;
  port: number;
  host: string;
  now?: () => number;
  s3Url: string;
  functionUrl: string;
  /** Where the access logs go. */
  accessLogDirectory: string;
}

export async function startStackEdge(
  options: StackEdgeOptions,
  progress: (message: string) => void,
): Promise<LocalEdge> {
  progress("building the edge functions");
  // The same build the deploy makes, from this site: the edge runs the artefacts, not the sources.
  const edgeBuild = await buildEdge({
    // Pages may send uploads to the images bucket's endpoint, which is this S3 stand-in; the local WAF's
    // CAPTCHA script is same-origin, so the create page's policy needs no WAF source.
    distribution: withWafCaptcha(withUploadOrigin(distribution, new URL(options.s3Url).origin), undefined),
    repositoryRoot: options.repositoryRoot,
    siteFolder: options.siteFolder,
    outDir: join(options.dataDir, "edge-build"),
    // The resizer reaches this S3 stand-in as the stack's own identity, baked in like any edge constant.
    imageStore: {
      bucket: localBuckets.images,
      region: localRegion,
      endpoint: options.s3Url,
      credentials: localCredentials,
    },
  });
  await stopBuilding();

  progress("starting the local edge");
  // The edge signs S3 requests as its own OAC identity, which bucket policies let read objects only.
  const s3Signing = {
    service: "s3",
    region: localRegion,
    credentials: localEdgeIdentity.credentials,
  } as const;
  return startLocalEdge({
    distributionId: localDistributionId,
    distribution: edgeBuild.distribution,
    origins: {
      site: { url: `${options.s3Url}/${localBuckets.site}`, signing: s3Signing },
      images: { url: `${options.s3Url}/${localBuckets.images}`, signing: s3Signing },
      api: {
        url: options.functionUrl,
        signing: { service: "lambda", region: localRegion, credentials: localEdgeIdentity.credentials },
      },
    },
    repositoryRoot: options.repositoryRoot,
    port: options.port,
    host: options.host,
    accessLogDirectory: options.accessLogDirectory,
    ...(options.now ? { now: options.now } : {}),
    // The WAF stage inserts the secret the build baked into the upload guard, as the web ACL would.
    wafInsertedHeaderValue: edgeBuild.uploadCaptchaSecret,
  });
}

/**
 * The site's address for people: the edge's, named `localhost` when it is bound on 127.0.0.1. npm start
 * prints it, and the emails' and link previews' links use it, so a person stays on one origin (a browser
 * keeps each origin's storage apart: the signatures the sign page remembers, for one).
 */
export const publicSiteUrl = (edgeUrl: string) => edgeUrl.replace("//127.0.0.1:", "//localhost:");

/** The bucket takes the pages' upload POSTs from the site's origin: its public address and the edge's bound
 * one, two origins to a browser. */
export async function allowUploadsFromEdge(s3: S3Client, edgeUrl: string): Promise<void> {
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: localBuckets.images,
      CORSConfiguration: { CORSRules: uploadCorsRules([...new Set([edgeUrl, publicSiteUrl(edgeUrl)])]) },
    }),
  );
}
