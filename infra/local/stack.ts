// The whole app on one machine: S3 and Data API stand-ins, migrations, the published site and art, the
// API behind a function URL stand-in, and the local edge in front, wired from the one edge declaration.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { distribution, withUploadOrigin, withWafCaptcha } from "../../edge/distribution.ts";
import { originAccessPolicy } from "../../edge/origin-access.ts";
import { createApiHandler } from "../../origin/api/handler.ts";
import type { FunctionUrlHandler } from "../../origin/aws/function-url-event.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { createDeliveryHandler } from "../../origin/delivery/handler.ts";
import { cloudFrontEdgeCache } from "../../origin/edge-cache/cloudfront-edge-cache.ts";
import { schedulerCardSchedules } from "../../origin/schedules/card-schedules.ts";
import { uploadCorsRules } from "../../origin/uploads/upload-cors.ts";
import { buildEdge, stopBuilding } from "../build/edge.ts";
import { type CloudFrontApiStandIn, startCloudFrontApiStandIn } from "./cloudfront-api/server.ts";
import {
  localBuckets,
  localCredentials,
  localDatabase,
  localDistributionId,
  localEdgeIdentity,
  localRegion,
} from "./config.ts";
import { startDataApiStandIn } from "./data-api/server.ts";
import { type LocalEdge, startLocalEdge } from "./edge/server.ts";
import { startFunctionUrlStandIn } from "./function-url/server.ts";
import { startS3StandIn } from "./s3/server.ts";
import { localDelivery } from "./scheduler/card-delivery.ts";
import { type SchedulerStandIn, startSchedulerStandIn } from "./scheduler/server.ts";
import type { RunningService } from "./service.ts";
import { type SesStandIn, startSesStandIn } from "./ses/server.ts";
import { publishFolder } from "./site-publisher.ts";

export interface LocalStackOptions {
  /** Everything kept across restarts: object store, database, access logs. */
  dataDir: string;
  /** The built Astro site (astro build's outDir). */
  siteFolder: string;
  /** The catalog art, published to the images bucket under catalog/. */
  artFolder: string;
  repositoryRoot: string;
  /** 0 picks a free port; the PostgreSQL server behind the Data API picks one when left out. */
  ports: {
    edge: number;
    s3: number;
    dataApi: number;
    functionUrl: number;
    postgres?: number;
    scheduler?: number;
    ses?: number;
    cloudfront?: number;
  };
  host?: string;
  /** Progress lines for the operator. */
  progress?: (message: string) => void;
  /** The stack's clock (GOODGREETS_NOW at `npm start`, see clock.ts): the edge's and the API's. */
  now?: () => number;
  /** How often the Scheduler stand-in fires what is due; 0 leaves firing to scheduler.fireDue(). */
  schedulerPollMilliseconds?: number;
  /** The local SES account's maximum send rate (emails/s); unlimited when left out. */
  sesMaxSendRate?: number;
  /** Delivery's sleep between SES retries (tests make it instant). */
  deliverySleep?: (milliseconds: number) => Promise<void>;
}

export interface LocalStack {
  readonly edge: LocalEdge;
  readonly s3: RunningService;
  readonly dataApi: RunningService;
  readonly functionUrl: RunningService;
  readonly scheduler: SchedulerStandIn;
  readonly ses: SesStandIn;
  /** The CloudFront API for the local distribution: its invalidations clear the edge's cache. */
  readonly cloudfront: CloudFrontApiStandIn;
  readonly accessLogDirectory: string;
  close(): Promise<void>;
}

/** Creates the bucket when it does not exist yet, and gives it the OAC policy the CDK app gives it. */
async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const policy = originAccessPolicy(bucket, localEdgeIdentity.distributionArn);
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.progress ?? (() => {});
  const host = options.host ?? "127.0.0.1";
  const started: RunningService[] = [];
  const clients: { destroy(): void }[] = [];
  const closeAll = async () => {
    for (const service of started.toReversed()) await service.close();
    for (const client of clients) client.destroy();
  };
  try {
    await mkdir(options.dataDir, { recursive: true });

    progress("starting the S3 stand-in");
    const s3Service = await startS3StandIn({
      dataDir: join(options.dataDir, "s3"),
      port: options.ports.s3,
      host,
    });
    started.push(s3Service);
    const s3 = new S3Client({
      endpoint: s3Service.url,
      forcePathStyle: true,
      region: localRegion,
      credentials: localCredentials,
    });

    progress("starting the Data API stand-in (embedded PostgreSQL)");
    const dataApi = await startDataApiStandIn({
      dataDir: join(options.dataDir, "postgres"),
      port: options.ports.dataApi,
      host,
      ...(options.ports.postgres !== undefined ? { postgresPort: options.ports.postgres } : {}),
    });
    started.push(dataApi);
    // One client for the migrations and the API, made per start: a restarted stack has new ports.
    const dataApiClient = new RDSDataClient({
      endpoint: dataApi.url,
      region: localRegion,
      credentials: localCredentials,
    });
    clients.push(dataApiClient);
    const database = createDatabase({ ...localDatabase, client: dataApiClient });
    const applied = await migrate(database);
    progress(
      applied.length > 0 ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date",
    );
    progress(`designs from the catalog: ${await seedDesigns(database)} added or changed`);

    progress("publishing the site and the catalog art");
    await ensureBucket(s3, localBuckets.site);
    await ensureBucket(s3, localBuckets.images);
    const site = await publishFolder(s3, localBuckets.site, options.siteFolder);
    // Object keys mirror the viewer's paths: CloudFront sends /img/… to the bucket as it is.
    const art = await publishFolder(s3, localBuckets.images, options.artFolder, "img/catalog/");
    progress(
      `site: ${site.uploaded} uploaded, ${site.unchanged} unchanged, ${site.deleted} removed; ` +
        `art: ${art.uploaded} uploaded, ${art.unchanged} unchanged, ${art.deleted} removed`,
    );
    s3.destroy();

    progress("starting the Scheduler and SES stand-ins");
    const scheduler = await startSchedulerStandIn({
      dataDir: join(options.dataDir, "scheduler"),
      port: options.ports.scheduler ?? 0,
      host,
      ...(options.now ? { now: options.now } : {}),
      pollMilliseconds: options.schedulerPollMilliseconds ?? 0,
    });
    started.push(scheduler);
    const ses = await startSesStandIn({
      dataDir: join(options.dataDir, "ses"),
      port: options.ports.ses ?? 0,
      host,
      verifiedIdentities: [localDelivery.senderDomain],
      configurationSets: [localDelivery.configurationSet],
      ...(options.sesMaxSendRate !== undefined ? { maxSendRate: options.sesMaxSendRate } : {}),
    });
    started.push(ses);
    // Invalidations reach the edge started below; nothing can send one before the API is called through it.
    const cloudfront = await startCloudFrontApiStandIn({
      distributions: { [localDistributionId]: (paths) => edge.cache.invalidate(paths) },
      port: options.ports.cloudfront ?? 0,
      host,
    });
    started.push(cloudfront);
    const cloudFrontClient = new CloudFrontClient({
      endpoint: cloudfront.url,
      region: localRegion,
      credentials: localCredentials,
    });
    clients.push(cloudFrontClient);
    const schedulerClient = new SchedulerClient({
      endpoint: scheduler.url,
      region: localRegion,
      credentials: localCredentials,
    });
    clients.push(schedulerClient);
    try {
      await schedulerClient.send(new CreateScheduleGroupCommand({ Name: localDelivery.groupName }));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    // One SES call per attempt: the delivery decides about retries (origin/delivery/ses-send.ts).
    const sesClient = new SESv2Client({
      endpoint: ses.url,
      region: localRegion,
      credentials: localCredentials,
      maxAttempts: 1,
    });
    clients.push(sesClient);

    progress("starting the API behind its function URL stand-in");
    const apiS3 = new S3Client({
      endpoint: s3Service.url,
      forcePathStyle: true,
      region: localRegion,
      credentials: localCredentials,
    });
    clients.push(apiS3);
    const { version } = JSON.parse(await readFile(join(options.repositoryRoot, "package.json"), "utf8")) as {
      version: string;
    };
    const clock = options.now;
    // The sign page's HTML, served by the API with each card's link preview (edge behaviour /s/*).
    const signShell = await readFile(join(options.siteFolder, "s/index.html"), "utf8");
    // The API is made once the edge is up: its sign page needs the site's origin, which is the edge's URL
    // (its port may be chosen at start). Nothing calls the function URL before the edge exists.
    let api: FunctionUrlHandler | undefined;
    const functionUrl = await startFunctionUrlStandIn({
      handler: async (event, context) => {
        if (!api) throw new Error("The API was called before the local edge started");
        return api(event, context);
      },
      // Its resource policy admits the distribution's OAC alone: a direct call is refused.
      signing: { region: localRegion, credentials: [localEdgeIdentity.credentials] },
      port: options.ports.functionUrl,
      host,
    });
    started.push(functionUrl);

    progress("building the edge functions");
    // The same build the deploy makes, from this site: the edge runs the artefacts, not the sources.
    const edgeBuild = await buildEdge({
      // Pages may send uploads to the images bucket's endpoint, which is this S3 stand-in; the local WAF's
      // CAPTCHA script is same-origin, so the create page's policy needs no WAF source.
      distribution: withWafCaptcha(withUploadOrigin(distribution, new URL(s3Service.url).origin), undefined),
      repositoryRoot: options.repositoryRoot,
      siteFolder: options.siteFolder,
      outDir: join(options.dataDir, "edge-build"),
      // The resizer reaches this S3 stand-in as the stack's own identity, baked in like any edge constant.
      imageStore: {
        bucket: localBuckets.images,
        region: localRegion,
        endpoint: s3Service.url,
        credentials: localCredentials,
      },
    });
    await stopBuilding();

    progress("starting the local edge");
    const accessLogDirectory = join(options.dataDir, "edge-logs");
    // The edge signs S3 requests as its own OAC identity, which bucket policies let read objects only.
    const s3Signing = {
      service: "s3",
      region: localRegion,
      credentials: localEdgeIdentity.credentials,
    } as const;
    const edge = await startLocalEdge({
      distributionId: localDistributionId,
      distribution: edgeBuild.distribution,
      origins: {
        site: { url: `${s3Service.url}/${localBuckets.site}`, signing: s3Signing },
        images: { url: `${s3Service.url}/${localBuckets.images}`, signing: s3Signing },
        api: {
          url: functionUrl.url,
          signing: { service: "lambda", region: localRegion, credentials: localEdgeIdentity.credentials },
        },
      },
      repositoryRoot: options.repositoryRoot,
      port: options.ports.edge,
      host,
      accessLogDirectory,
      ...(options.now ? { now: options.now } : {}),
      // The WAF stage inserts the secret the build baked into the upload guard, as the web ACL would.
      wafInsertedHeaderValue: edgeBuild.uploadCaptchaSecret,
    });
    started.push(edge);
    // The bucket takes the pages' upload POSTs from the site's origin, known now that the edge listens:
    // as npm start prints it (localhost) and as the edge binds it (127.0.0.1), two origins to a browser.
    await apiS3.send(
      new PutBucketCorsCommand({
        Bucket: localBuckets.images,
        CORSConfiguration: {
          CORSRules: uploadCorsRules([edge.url, edge.url.replace("//127.0.0.1:", "//localhost:")]),
        },
      }),
    );
    api = createApiHandler({
      database,
      version,
      signShell: { html: signShell, siteUrl: edge.url },
      // Upload grants and checks in the images bucket, as the API's role would make them.
      uploads: { s3: apiS3, bucket: localBuckets.images },
      schedules: schedulerCardSchedules(schedulerClient, localDelivery),
      edgeCache: cloudFrontEdgeCache(cloudFrontClient, localDistributionId),
      ...(clock ? { now: () => new Date(clock()) } : {}),
    });

    // The delivery Lambda, invoked by the Scheduler stand-in as Scheduler invokes it in AWS.
    scheduler.setTarget(
      localDelivery.functionArn,
      createDeliveryHandler({
        database,
        ses: sesClient,
        siteUrl: edge.url,
        from: localDelivery.from,
        configurationSet: localDelivery.configurationSet,
        ...(clock ? { now: () => new Date(clock()) } : {}),
        ...(options.deliverySleep ? { sleep: options.deliverySleep } : {}),
      }),
    );

    return {
      edge,
      s3: s3Service,
      dataApi,
      functionUrl,
      scheduler,
      ses,
      cloudfront,
      accessLogDirectory,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
