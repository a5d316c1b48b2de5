// Sends the edge's origin requests over HTTP, signed with SigV4 as Origin Access Control signs them, with
// CloudFront's connection attempts, connection timeout and read timeout; failures come back as typed
// results, never as throws.
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { OriginConnectionDeclaration } from "../../../edge/distribution.ts";
import { canonicalQuery } from "../sigv4/canonical.ts";

export interface OriginEndpoint {
  /**
   * Where the origin listens, with the path its requests go under: for an S3 origin the bucket, e.g.
   * http://127.0.0.1:9000/goodgreets-local-site. The viewer's URI is appended byte for byte.
   */
  url: string;
  /** Sign like OAC does: S3 buckets as "s3", Lambda function URLs as "lambda". */
  signing?: {
    service: "s3" | "lambda";
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

export interface OriginRequest {
  method: string;
  /** Path exactly as the viewer sent it (still percent-encoded, dot segments and all), and raw query. */
  uri: string;
  rawQuery: string;
  headers: [string, string][];
  /** Buffered (from a function) or streamed from the viewer; read only once a connection is up. */
  body?: Buffer | Readable | undefined;
}

export type OriginFailure = "OriginConnectError" | "OriginReadTimeout" | "OriginReadError";

export type OriginResult =
  | { type: "response"; status: number; statusText: string; headers: [string, string][]; body: Buffer }
  | { type: "error"; detailedResultType: OriginFailure; attempts: number };

// Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, never stored or forwarded.
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
]);

export function withoutHopByHop(headers: readonly (readonly [string, string])[]): [string, string][] {
  return headers.filter(([name]) => !hopByHop.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}

/**
 * The SDK's signer with the canonical query line built by the verifiers' own linear canonicalQuery: the
 * SDK's path copies its query record once per name and concatenates repeated values pairwise, which is
 * quadratic (4,000 parameters cost seconds of CPU), so the edge hands the signer an empty query and puts
 * the line in itself.
 */
class OriginSigner extends SignatureV4 {
  readonly #canonicalQuery: string;

  constructor(options: ConstructorParameters<typeof SignatureV4>[0], canonicalQueryLine: string) {
    super(options);
    this.#canonicalQuery = canonicalQueryLine;
  }

  protected override createCanonicalRequest(
    ...[request, headers, payloadHash]: Parameters<SignatureV4["createCanonicalRequest"]>
  ): string {
    // Method, path, query, headers…: the query is the third line.
    const lines = super.createCanonicalRequest(request, headers, payloadHash).split("\n");
    lines[2] = this.#canonicalQuery;
    return lines.join("\n");
  }
}

async function signedHeaders(
  endpoint: OriginEndpoint,
  host: string,
  path: string,
  request: OriginRequest,
): Promise<[string, string][]> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
  }
  headers.host = host;
  if (!endpoint.signing) return Object.entries(headers);
  const { service, region, credentials } = endpoint.signing;
  // OAC always re-signs: the viewer's own Authorization never reaches the origin.
  delete headers.authorization;
  // The body streams through unread. S3 takes it unsigned; a Lambda function URL takes no unsigned
  // payload, so the viewer sends x-amz-content-sha256 with the body's hash and OAC signs that value
  // (without it the signature covers an empty body and the function URL refuses a PUT or POST).
  if (service === "s3") headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  const signer = new OriginSigner(
    {
      service,
      region,
      credentials,
      sha256: Sha256,
      // S3 takes the path as sent (it does not normalise); other services normalise and encode again.
      uriEscapePath: service !== "s3",
    },
    canonicalQuery(request.rawQuery),
  );
  const signed = await signer.sign({
    method: request.method,
    protocol: "http:",
    hostname: host,
    path,
    query: {},
    headers,
  } as Parameters<SignatureV4["sign"]>[0]);
  return Object.entries(signed.headers as Record<string, string>);
}

type AttemptResult = OriginResult | { type: "not-connected" };

/**
 * One connection attempt. node:http sends `path` byte for byte (WHATWG URL parsing would resolve `..`
 * and `%2e%2e` and so let a viewer's URI climb out of the bucket).
 */
function attempt(
  target: URL,
  path: string,
  headers: [string, string][],
  request: OriginRequest,
  connection: OriginConnectionDeclaration,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      resolve(result);
    };
    const outgoing = httpRequest({
      host: target.hostname,
      port: target.port,
      method: request.method,
      path,
      headers: headers.flat(),
      setHost: false,
      agent: false,
    });
    const connectTimer = setTimeout(() => {
      outgoing.destroy();
      finish({ type: "not-connected" });
    }, connection.connectionTimeoutSeconds * 1000);
    const sendBody = () => {
      connected = true;
      clearTimeout(connectTimer);
      const body = request.body;
      if (body === undefined || Buffer.isBuffer(body)) outgoing.end(body);
      else {
        body.once("error", () => outgoing.destroy());
        body.pipe(outgoing);
      }
    };
    outgoing.on("socket", (socket) => {
      if (socket.connecting) socket.once("connect", sendBody);
      else sendBody();
    });
    // CloudFront's origin read timeout: the longest wait for the first byte and between packets.
    outgoing.setTimeout(connection.readTimeoutSeconds * 1000, () => {
      outgoing.destroy();
      if (connected) finish({ type: "error", detailedResultType: "OriginReadTimeout", attempts: 1 });
    });
    outgoing.on("error", () => {
      finish(
        connected
          ? { type: "error", detailedResultType: "OriginReadError", attempts: 1 }
          : { type: "not-connected" },
      );
    });
    outgoing.on("response", (incoming: IncomingMessage) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", () =>
        finish({ type: "error", detailedResultType: "OriginReadError", attempts: 1 }),
      );
      incoming.on("aborted", () =>
        finish({ type: "error", detailedResultType: "OriginReadError", attempts: 1 }),
      );
      incoming.on("end", () => {
        const pairs: [string, string][] = [];
        for (let index = 0; index < incoming.rawHeaders.length; index += 2)
          pairs.push([incoming.rawHeaders[index] ?? "", incoming.rawHeaders[index + 1] ?? ""]);
        finish({
          type: "response",
          status: incoming.statusCode ?? 502,
          statusText: incoming.statusMessage ?? "",
          headers: withoutHopByHop(pairs),
          body: Buffer.concat(chunks),
        });
      });
    });
  });
}

/** Sends one origin request, trying to connect up to `connection.attempts` times. */
export async function sendToOrigin(
  endpoint: OriginEndpoint,
  connection: OriginConnectionDeclaration,
  request: OriginRequest,
): Promise<OriginResult> {
  const target = new URL(endpoint.url);
  // The viewer's URI goes under the endpoint's path (the bucket) exactly as sent: S3 keeps "." and ".."
  // segments as key characters, so the key stays inside the bucket.
  const path = `${target.pathname.replace(/\/$/, "")}${request.uri}`;
  const headers = await signedHeaders(endpoint, target.host, path, {
    ...request,
    headers: withoutHopByHop(request.headers),
  });
  const pathAndQuery = request.rawQuery ? `${path}?${request.rawQuery}` : path;
  for (let tried = 1; ; tried += 1) {
    const result = await attempt(target, pathAndQuery, headers, request, connection);
    if (result.type !== "not-connected")
      return result.type === "error" ? { ...result, attempts: tried } : result;
    if (tried >= connection.attempts)
      return { type: "error", detailedResultType: "OriginConnectError", attempts: tried };
  }
}
