// Sends the edge's origin requests over HTTP, signed with SigV4 as Origin Access Control signs them, with
// CloudFront's connection and read timeouts; failures come back as typed results, never as throws.
import { request as httpRequest } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface OriginEndpoint {
  /** Base URL the origin path is appended to, e.g. http://127.0.0.1:9000/goodgreets-local-site */
  url: string;
  /** Sign like OAC does: S3 buckets as "s3", Lambda function URLs as "lambda". */
  signing?: {
    service: "s3" | "lambda";
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  connectionTimeoutSeconds: number;
  readTimeoutSeconds: number;
}

export interface OriginRequest {
  method: string;
  /** Path (already percent-encoded, as the viewer sent it) and raw query. */
  uri: string;
  rawQuery: string;
  headers: [string, string][];
  body?: Buffer | undefined;
}

export type OriginResult =
  | { type: "response"; status: number; statusText: string; headers: [string, string][]; body: Buffer }
  | { type: "error"; detailedResultType: "OriginConnectError" | "OriginReadTimeout" | "OriginReadError" };

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

async function sign(endpoint: OriginEndpoint, url: URL, request: OriginRequest): Promise<[string, string][]> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
  }
  headers.host = url.host;
  if (!endpoint.signing) return Object.entries(headers);
  const { service, region, credentials } = endpoint.signing;
  // OAC always re-signs: the viewer's own Authorization never reaches the origin.
  delete headers.authorization;
  if (service === "s3") headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  const signer = new SignatureV4({
    service,
    region,
    credentials,
    sha256: Sha256,
    // S3 takes the path as sent; other services double-encode (SigV4 canonical URI rules).
    uriEscapePath: service !== "s3",
  });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port) || undefined,
    path: url.pathname,
    query,
    headers,
    body: service === "s3" ? undefined : request.body,
  } as Parameters<SignatureV4["sign"]>[0]);
  return Object.entries(signed.headers as Record<string, string>);
}

export async function sendToOrigin(endpoint: OriginEndpoint, request: OriginRequest): Promise<OriginResult> {
  const base = new URL(endpoint.url);
  const url = new URL(
    `${base.pathname.replace(/\/$/, "")}${request.uri}${request.rawQuery ? `?${request.rawQuery}` : ""}`,
    base,
  );
  const headers = await sign(endpoint, url, { ...request, headers: withoutHopByHop(request.headers) });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: OriginResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      resolve(result);
    };
    const outgoing = httpRequest(url, { method: request.method, headers: headers.flat(), setHost: false });
    const connectTimer = setTimeout(() => {
      outgoing.destroy();
      finish({ type: "error", detailedResultType: "OriginConnectError" });
    }, endpoint.connectionTimeoutSeconds * 1000);
    outgoing.on("socket", (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    // CloudFront's origin read timeout: the longest wait for the first byte and between packets.
    outgoing.setTimeout(endpoint.readTimeoutSeconds * 1000, () => {
      outgoing.destroy();
      finish({ type: "error", detailedResultType: "OriginReadTimeout" });
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      const refused =
        error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "EHOSTUNREACH";
      finish({ type: "error", detailedResultType: refused ? "OriginConnectError" : "OriginReadError" });
    });
    outgoing.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", () => finish({ type: "error", detailedResultType: "OriginReadError" }));
      incoming.on("aborted", () => finish({ type: "error", detailedResultType: "OriginReadError" }));
      incoming.on("end", () => {
        const pairs: [string, string][] = [];
        for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
          pairs.push([incoming.rawHeaders[index] ?? "", incoming.rawHeaders[index + 1] ?? ""]);
        }
        finish({
          type: "response",
          status: incoming.statusCode ?? 502,
          statusText: incoming.statusMessage ?? "",
          headers: withoutHopByHop(pairs),
          body: Buffer.concat(chunks),
        });
      });
    });
    outgoing.end(request.body);
  });
}
