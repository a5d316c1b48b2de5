// The CloudFront API stand-in, invalidations only: CreateInvalidation, GetInvalidation and ListInvalidations
// over REST-XML (API version 2020-05-31), SigV4-verified (service cloudfront, us-east-1), for the real
// CloudFrontClient, the AWS CLI and boto3. Each invalidation is applied to its distribution's local edge
// cache before the answer goes out, so it is Completed at once: the local edge is one cache in this process,
// where CloudFront has to reach every edge location (InProgress for seconds to minutes). To test the limits
// on paths in progress, an invalidation can be kept InProgress for a while (inProgressMs, on an injected
// clock). Invalidations are kept in memory only, like the cache they apply to.
import { randomInt, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { AwsError } from "../aws-error.ts";
import { type SigningCredentials, sha256Hex, signedRequestOf, verifySignature } from "../aws-signature.ts";
import { localCredentials, localRegion } from "../config.ts";
import { readBody } from "../request-body.ts";
import { listen, type RunningService } from "../service.ts";
import {
  batchAlreadyExists,
  checkInProgressLimits,
  invalidArgument,
  noSuchDistribution,
  parseInvalidationBatch,
  sameBatch,
} from "./invalidation-rules.ts";
import {
  apiVersion,
  errorDocument,
  invalidationDocument,
  invalidationListDocument,
  type StoredInvalidation,
} from "./invalidation-xml.ts";

/** What a distribution does with an invalidation's paths: the local edge drops what they match. */
export type InvalidationTarget = (paths: readonly string[]) => void;

export interface CloudFrontApiOptions {
  /** Distribution id → where its invalidations apply. */
  distributions: Record<string, InvalidationTarget>;
  port?: number;
  host?: string;
  credentials?: readonly SigningCredentials[];
  /** How long an invalidation stays InProgress (counting towards CloudFront's limits); 0, the default: never. */
  inProgressMs?: number;
  /** The clock inProgressMs is measured on; Date.now by default. */
  now?: () => number;
}

export interface CloudFrontApiStandIn extends RunningService {
  invalidations(distributionId: string): readonly StoredInvalidation[];
}

const maxBodyBytes = 1024 * 1024;
const idCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** An id in CloudFront's shape: "I" and 13 upper-case letters and digits (I2J0I21PCUYOIK). */
function newInvalidationId(): string {
  let id = "I";
  for (let index = 0; index < 13; index += 1) id += idCharacters[randomInt(idCharacters.length)];
  return id;
}

export async function startCloudFrontApiStandIn(
  options: CloudFrontApiOptions,
): Promise<CloudFrontApiStandIn> {
  const history = new Map<string, StoredInvalidation[]>(
    Object.keys(options.distributions).map((id) => [id, []]),
  );
  let baseUrl = "";
  const inProgressMs = options.inProgressMs ?? 0;
  const now = options.now ?? Date.now;
  const completesAt = new Map<StoredInvalidation, number>();

  /** Marks Completed each invalidation whose time in progress is over. */
  function settle(invalidations: readonly StoredInvalidation[]) {
    for (const invalidation of invalidations)
      if (invalidation.status === "InProgress" && now() >= (completesAt.get(invalidation) ?? 0)) {
        invalidation.status = "Completed";
        completesAt.delete(invalidation);
      }
    return invalidations;
  }

  function distribution(id: string) {
    const target = options.distributions[id];
    const invalidations = history.get(id);
    if (!target || !invalidations) throw noSuchDistribution(id);
    settle(invalidations);
    return { target, invalidations };
  }

  function create(
    distributionId: string,
    body: string,
  ): { status: number; invalidation: StoredInvalidation } {
    const { target, invalidations } = distribution(distributionId);
    const batch = parseInvalidationBatch(body);
    const earlier = invalidations.find((item) => item.batch.callerReference === batch.callerReference);
    if (earlier) {
      if (!sameBatch(earlier.batch, batch)) throw batchAlreadyExists(batch.callerReference);
      return { status: 201, invalidation: earlier };
    }
    checkInProgressLimits(
      invalidations.filter((item) => item.status === "InProgress").map((item) => item.batch),
      batch,
    );
    target(batch.paths);
    const invalidation: StoredInvalidation = {
      id: newInvalidationId(),
      status: inProgressMs > 0 ? "InProgress" : "Completed",
      createTime: new Date(now()).toISOString(),
      batch,
    };
    if (inProgressMs > 0) completesAt.set(invalidation, now() + inProgressMs);
    invalidations.unshift(invalidation);
    return { status: 201, invalidation };
  }

  /** One page, newest first; Marker is the id of the last invalidation of the page before. */
  function list(distributionId: string, query: URLSearchParams): string {
    const { invalidations } = distribution(distributionId);
    const maxText = query.get("MaxItems") ?? "100";
    const maxItems = /^\d{1,4}$/.test(maxText) ? Number(maxText) : Number.NaN;
    if (!(maxItems >= 1 && maxItems <= 1000)) throw invalidArgument("MaxItems must be from 1 to 1000.");
    const marker = query.get("Marker") ?? "";
    const start = marker === "" ? 0 : invalidations.findIndex((item) => item.id === marker) + 1;
    if (start === 0 && marker !== "") throw invalidArgument(`Marker ${marker} names no invalidation.`);
    const items = invalidations.slice(start, start + maxItems);
    const more = start + maxItems < invalidations.length;
    return invalidationListDocument({
      marker,
      maxItems,
      items,
      nextMarker: more ? items.at(-1)?.id : undefined,
    });
  }

  function reply(outgoing: ServerResponse, status: number, xml: string, extra: Record<string, string> = {}) {
    outgoing.writeHead(status, {
      "content-type": "text/xml",
      "content-length": Buffer.byteLength(xml),
      "x-amzn-requestid": randomUUID(),
      ...extra,
    });
    outgoing.end(xml);
  }

  async function answer(incoming: IncomingMessage, outgoing: ServerResponse) {
    const body = await readBody(incoming, maxBodyBytes);
    if (!body) throw new AwsError(413, "BatchTooLarge", "Invalidation batch specified is too large.");
    const verdict = await verifySignature(signedRequestOf(incoming), {
      service: "cloudfront",
      region: localRegion,
      credentials: options.credentials ?? [localCredentials],
      uriEscapePath: true,
      now: Date.now(),
      bodySha256: sha256Hex(body),
    });
    if (!verdict.ok)
      throw new AwsError(
        403,
        verdict.code === "InvalidAccessKeyId" ? "InvalidClientTokenId" : "SignatureDoesNotMatch",
        verdict.message,
      );
    const url = new URL(incoming.url ?? "/", "http://cloudfront.local");
    const route = /^\/([^/]+)\/distribution\/([^/]+)\/invalidation(?:\/([^/]+))?$/.exec(url.pathname);
    if (!route || route[1] !== apiVersion)
      throw new AwsError(404, "NoSuchResource", `This local CloudFront API has no ${url.pathname}.`);
    const distributionId = decodeURIComponent(route[2] as string);
    const invalidationId = route[3] === undefined ? undefined : decodeURIComponent(route[3]);
    const method = incoming.method ?? "GET";
    if (method === "POST" && invalidationId === undefined) {
      const { status, invalidation } = create(distributionId, body.toString("utf8"));
      const location = `${baseUrl}/${apiVersion}/distribution/${encodeURIComponent(distributionId)}/invalidation/${invalidation.id}`;
      return reply(outgoing, status, invalidationDocument(invalidation), { location });
    }
    if (method === "GET" && invalidationId === undefined)
      return reply(outgoing, 200, list(distributionId, url.searchParams));
    if (method === "GET" && invalidationId !== undefined) {
      const found = distribution(distributionId).invalidations.find((item) => item.id === invalidationId);
      if (!found)
        throw new AwsError(
          404,
          "NoSuchInvalidation",
          `The specified invalidation does not exist: ${invalidationId}.`,
        );
      return reply(outgoing, 200, invalidationDocument(found));
    }
    throw new AwsError(405, "MethodNotAllowed", `${method} is not allowed on ${url.pathname}.`);
  }

  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch((error: unknown) => {
      if (error instanceof AwsError)
        return reply(outgoing, error.status, errorDocument(error.code, error.message, randomUUID()));
      console.error("cloudfront-api:", error);
      if (!outgoing.headersSent)
        reply(outgoing, 500, errorDocument("InternalError", "Internal error.", randomUUID()));
      else outgoing.destroy();
    });
  });
  const running = await listen(server, options);
  baseUrl = running.url;
  return {
    url: running.url,
    close: running.close,
    invalidations: (id: string) => settle(history.get(id) ?? []),
  };
}
