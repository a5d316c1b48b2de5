// The whole app on one machine: S3 and Data API stand-ins, migrations, the published site and art, the
// API behind a function URL stand-in, and the local edge in front, wired from the one edge declaration.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createApiHandler } from "../../origin/api/handler.ts";
import type { FunctionUrlHandler } from "../../origin/aws/function-url-event.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { createDeliveryHandler } from "../../origin/delivery/handler.ts";
import { cloudFrontEdgeCache } from "../../origin/edge-cache/cloudfront-edge-cache.ts";
import { schedulerCardSchedules } from "../../origin/schedules/card-schedules.ts";
import { type CloudFrontApiStandIn, startCloudFrontApiStandIn } from "./cloudfront-api/server.ts";
import {
  localBuckets,
  localDatabase,
  localDistributionId,
  localEdgeIdentity,
  localRegion,
} from "./config.ts";
import { startDataApiStandIn } from "./data-api/server.ts";
import type { LocalEdge } from "./edge/server.ts";
import { startFunctionUrlStandIn } from "./function-url/server.ts";
import { startS3StandIn } from "./s3/server.ts";
import { localDelivery } from "./scheduler/card-delivery.ts";
import { type SchedulerStandIn, startSchedulerStandIn } from "./scheduler/server.ts";
import type { RunningService } from "./service.ts";
import { type SesStandIn, startSesStandIn } from "./ses/server.ts";
import { allowUploadsFromEdge, publicSiteUrl, startStackEdge } from "./stack-edge.ts";
import { publishSiteAndArt } from "./stack-publishing.ts";
import { standInClientConfig, standInCloudFrontClient, standInS3Client } from "./stand-in-clients.ts";

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
  /** The site's address for people and in links (publicSiteUrl); the edge's `url` is its bound address. */
  readonly siteUrl: string;
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

    progress("starting the Data API stand-in (embedded PostgreSQL)");
    const dataApi = await startDataApiStandIn({
      dataDir: join(options.dataDir, "postgres"),
      port: options.ports.dataApi,
      host,
      ...(options.ports.postgres !== undefined ? { postgresPort: options.ports.postgres } : {}),
    });
    started.push(dataApi);
    // One client for the migrations and the API, made per start: a restarted stack has new ports.
    const dataApiClient = new RDSDataClient(standInClientConfig(dataApi.url));
    clients.push(dataApiClient);
    const database = createDatabase({ ...localDatabase, client: dataApiClient });
    const applied = await migrate(database);
    progress(
      applied.length > 0 ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date",
    );
    progress(`designs from the catalog: ${await seedDesigns(database)} added or changed`);

    progress("publishing the site and the catalog art");
    progress(await publishSiteAndArt(s3Service.url, options));

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
    const cloudFrontClient = standInCloudFrontClient(cloudfront.url);
    clients.push(cloudFrontClient);
    const schedulerClient = new SchedulerClient(standInClientConfig(scheduler.url));
    clients.push(schedulerClient);
    try {
      await schedulerClient.send(new CreateScheduleGroupCommand({ Name: localDelivery.groupName }));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    // One SES call per attempt: the delivery decides about retries (origin/delivery/ses-send.ts).
    const sesClient = new SESv2Client(standInClientConfig(ses.url, { maxAttempts: 1 }));
    clients.push(sesClient);

    progress("starting the API behind its function URL stand-in");
    const apiS3 = standInS3Client(s3Service.url);
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

    const accessLogDirectory = join(options.dataDir, "edge-logs");
    const edge = await startStackEdge(
      {
        repositoryRoot: options.repositoryRoot,
        siteFolder: options.siteFolder,
        dataDir: options.dataDir,
        port: options.ports.edge,
        host,
        ...(options.now ? { now: options.now } : {}),
        s3Url: s3Service.url,
        functionUrl: functionUrl.url,
        accessLogDirectory,
      },
      progress,
    );
    started.push(edge);
    await allowUploadsFromEdge(apiS3, edge.url);
    api = createApiHandler({
      database,
      version,
      signShell: { html: signShell, siteUrl: publicSiteUrl(edge.url) },
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
        siteUrl: publicSiteUrl(edge.url),
        from: localDelivery.from,
        configurationSet: localDelivery.configurationSet,
        ...(clock ? { now: () => new Date(clock()) } : {}),
        ...(options.deliverySleep ? { sleep: options.deliverySleep } : {}),
      }),
    );

    return {
      edge,
      siteUrl: publicSiteUrl(edge.url),
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
