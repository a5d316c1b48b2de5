// The local edge's HTTP side: takes viewer connections, enforces CloudFront's request limits, streams
// bodies with CloudFront's cap, runs the pipeline, writes the response with CloudFront's own headers and
// the standard access log line.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Transform, type TransformCallback } from "node:stream";
import type { DistributionDeclaration } from "../../../edge/distribution.ts";
import { listen, type RunningService } from "../service.ts";
import { AccessLogWriter } from "./access-log.ts";
import { EdgeCache, headerValue } from "./edge-cache.ts";
import {
  type EdgeContext,
  EdgeFunctions,
  type HttpRequestParts,
  type HttpResponseParts,
} from "./edge-functions.ts";
import { type EdgeReply, xCacheResult } from "./edge-reply.ts";
import { cloudFrontError } from "./error-pages.ts";
import { type OriginEndpoint, withoutHopByHop } from "./origin-client.ts";
import { EdgePipeline } from "./pipeline.ts";
import { checkViewerRequest, maxBodyBytes } from "./request-limits.ts";
import { LocalWaf, localWafPrefix } from "./waf.ts";

export interface LocalEdgeOptions {
  distribution: DistributionDeclaration;
  /** Where each declared origin is reachable locally, by origin id. */
  origins: Readonly<Record<string, OriginEndpoint>>;
  /** Function files in the declaration are relative to this folder. */
  repositoryRoot: string;
  port?: number;
  host?: string;
  /** Access logs go here when set. */
  accessLogDirectory?: string;
  /** The edge clock; tests move it to expire objects without waiting. */
  now?: () => number;
  distributionId?: string;
  distributionDomainName?: string;
  edgeLocation?: string;
  cacheCapacityBytes?: number;
  /** The stack's diagnostic log (not the standard access log). */
  log?: (message: string) => void;
  /** With the distribution's web ACL, runs the WAF stage (waf.ts); its CAPTCHA rules insert this value. */
  wafInsertedHeaderValue?: string;
}

export interface LocalEdge extends RunningService {
  readonly cache: EdgeCache;
  readonly accessLog: AccessLogWriter | undefined;
}

/** Node's own header limit sits above CloudFront's 20,480 bytes, so CloudFront's 413 is what a viewer sees. */
const parserHeaderBytes = 64 * 1024;

/** Counts a viewer body as it streams to the origin, and fails it past CloudFront's cap. */
class BodyCap extends Transform {
  bytes = 0;
  exceeded = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > maxBodyBytes) {
      this.exceeded = true;
      callback(new Error(`request body over ${maxBodyBytes} bytes`));
    } else callback(null, chunk);
  }
}

/** A WAF endpoint's body: a few bytes of JSON, read whole. */
async function smallBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > 4096) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const newRequestId = () => randomBytes(40).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const log = options.log ?? ((message: string) => console.error(`edge: ${message}`));
  const distributionId = options.distributionId ?? "E1LOCALGOODGREETS";
  const domainName = options.distributionDomainName ?? "d111111abcdef8.cloudfront.net";
  const edgeLocation = options.edgeLocation ?? "LCL1-P1";
  const via = `1.1 ${randomBytes(16).toString("hex")}.cloudfront.net (CloudFront)`;
  const cache = new EdgeCache(options.cacheCapacityBytes);
  const accessLog = options.accessLogDirectory
    ? new AccessLogWriter(options.accessLogDirectory, distributionId)
    : undefined;
  const waf =
    options.distribution.webAcl && options.wafInsertedHeaderValue !== undefined
      ? new LocalWaf({
          webAcl: options.distribution.webAcl,
          insertedHeaderValue: options.wafInsertedHeaderValue,
          now: options.now ?? Date.now,
        })
      : undefined;
  const functions = new EdgeFunctions(options.distribution, options.repositoryRoot, log);
  const pipeline = new EdgePipeline({
    distribution: options.distribution,
    origins: options.origins,
    functions,
    cache,
    now: options.now ?? Date.now,
    log,
    via,
  });

  /** CloudFront's own headers on every response it sends. */
  const edgeHeaders = (reply: EdgeReply, requestId: string): [string, string][] => [
    ...reply.response.headers.filter(
      ([name]) => !/^(content-length|x-cache|via|x-amz-cf-pop|x-amz-cf-id|age)$/i.test(name),
    ),
    ...(reply.age !== undefined ? [["Age", String(reply.age)] as [string, string]] : []),
    ["X-Cache", `${xCacheResult(reply.resultType)} from cloudfront`],
    ["Via", via],
    ["X-Amz-Cf-Pop", edgeLocation],
    ["X-Amz-Cf-Id", requestId],
  ];

  /** A request CloudFront refuses outright: its error page, the connection closed, no access-log line. */
  const refuseAndClose = (outgoing: ServerResponse, reply: EdgeReply, requestId: string) => {
    const headers = [...edgeHeaders(reply, requestId), ["Connection", "close"] as [string, string]];
    const body = reply.response.body ?? Buffer.alloc(0);
    headers.push(["Content-Length", String(body.length)]);
    outgoing.writeHead(reply.response.status, reply.response.statusText, headers.flat());
    outgoing.end(body, () => outgoing.socket?.destroySoon());
  };

  async function serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const requestId = newRequestId();
    const rawUrl = incoming.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const uri = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
    const method = incoming.method ?? "GET";

    const verdict = checkViewerRequest(rawUrl, incoming.rawHeaders);
    if (!verdict.ok) {
      log(`${verdict.status} for ${method} ${rawUrl.slice(0, 80)}…: ${verdict.reason}`);
      refuseAndClose(outgoing, pipeline.refuse(uri, verdict.status, "InvalidRequest", requestId), requestId);
      return;
    }

    const headers: [string, string][] = [];
    for (let index = 0; index < incoming.rawHeaders.length; index += 2)
      headers.push([incoming.rawHeaders[index] ?? "", incoming.rawHeaders[index + 1] ?? ""]);
    // Connection-level headers end at the edge: functions and origins never see them.
    const viewerHeaders = withoutHopByHop(headers).filter(([name]) => name.toLowerCase() !== "expect");
    const context: EdgeContext = {
      distributionDomainName: domainName,
      distributionId,
      requestId,
      viewerIp: (incoming.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    };

    // WAF sees the request before CloudFront does: its own endpoints, then its rules.
    let wafAnswer: HttpResponseParts | undefined;
    let request: HttpRequestParts = { method, uri, rawQuery, headers: viewerHeaders };
    if (waf) {
      wafAnswer = uri.startsWith(localWafPrefix)
        ? waf.serveOwn(method, uri, await smallBody(incoming))
        : undefined;
      if (!wafAnswer) {
        const verdict = waf.inspect(request);
        if (verdict.type === "captcha") wafAnswer = verdict.response;
        else request = verdict.request;
      }
    }

    const declaredLength = Number(incoming.headers["content-length"] ?? 0);
    const hasBody = declaredLength > 0 || incoming.headers["transfer-encoding"] !== undefined;
    const cap = new BodyCap();
    let reply: EdgeReply;
    let closeAfter = false;
    if (wafAnswer) {
      reply = { response: wafAnswer, resultType: "Error", detailedResultType: "Error" };
      closeAfter = hasBody && !incoming.readableEnded;
    } else if (declaredLength > maxBodyBytes) {
      reply = pipeline.refuse(uri, 413, "InvalidRequest", requestId);
      closeAfter = true;
    } else if (!uri.startsWith("/")) {
      reply = pipeline.refuse(uri, 400, "InvalidRequest", requestId);
    } else {
      const body = hasBody ? incoming.pipe(cap) : undefined;
      // A viewer gone mid-request fails its body for whoever reads it; with no body there is no reader,
      // and an error on the unread cap would be thrown out of the server.
      if (body) incoming.once("error", (error) => cap.destroy(error));
      // The origin request sees a failed body through the pipe; here only `cap.exceeded` matters, and a
      // body nobody reads (a refused method, a generated response) must not fail the process.
      cap.on("error", () => {});
      reply = await pipeline.handle(request, body, context);
      if (cap.exceeded) {
        reply = pipeline.refuse(uri, 413, "InvalidRequest", requestId);
        closeAfter = true;
      }
    }

    const responseHeaders = edgeHeaders(reply, requestId);
    const status = reply.response.status;
    const responseBody = method === "HEAD" || status === 304 ? undefined : reply.response.body;
    const contentLength = reply.response.body?.length ?? 0;
    if (status !== 304) responseHeaders.push(["Content-Length", String(contentLength)]);
    // A refused body may still be arriving: end the connection rather than read megabytes to keep it.
    if (closeAfter) responseHeaders.push(["Connection", "close"]);

    const firstByteSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    outgoing.writeHead(status, reply.response.statusText || undefined, responseHeaders.flat());
    outgoing.end(responseBody);
    await new Promise<void>((resolve) => {
      outgoing.once("finish", resolve);
      outgoing.once("close", resolve);
    });
    if (closeAfter) outgoing.socket?.destroySoon();

    const headerBytes = responseHeaders.reduce(
      (sum, [name, value]) => sum + name.length + value.length + 4,
      17,
    );
    const contentRange = /bytes (\d+)-(\d+)/.exec(headerValue(responseHeaders, "content-range") ?? "");
    accessLog?.write({
      finishedAt: new Date(),
      edgeLocation,
      responseBytes: headerBytes + (responseBody?.length ?? 0),
      clientIp: context.viewerIp,
      method,
      distributionDomainName: domainName,
      uriStem: uri,
      status: outgoing.writableFinished ? status : 0,
      referer: headerValue(headers, "referer"),
      userAgent: headerValue(headers, "user-agent"),
      query: rawQuery,
      resultType: reply.resultType,
      requestId,
      hostHeader: headerValue(headers, "host") ?? "",
      protocol: "http",
      requestBytes:
        headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, rawUrl.length + 14) +
        cap.bytes,
      timeTakenSeconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
      forwardedFor: headerValue(headers, "x-forwarded-for"),
      responseResultType: reply.resultType,
      protocolVersion: `HTTP/${incoming.httpVersion}`,
      clientPort: incoming.socket.remotePort ?? 0,
      timeToFirstByteSeconds: firstByteSeconds,
      detailedResultType: reply.detailedResultType,
      contentType: headerValue(responseHeaders, "content-type"),
      contentLength: status === 304 ? undefined : contentLength,
      rangeStart: contentRange ? Number(contentRange[1]) : undefined,
      rangeEnd: contentRange ? Number(contentRange[2]) : undefined,
    });
  }

  const server = createServer({ maxHeaderSize: parserHeaderBytes }, (incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      log(
        `unexpected failure serving ${incoming.url}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!outgoing.headersSent)
        refuseAndClose(outgoing, cloudFrontError(502, "Error", newRequestId()), newRequestId());
      else outgoing.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  // Requests node:http cannot parse: past even its raised header limit CloudFront's answer is still 413.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const requestId = newRequestId();
    const reply = pipeline.refuse("/", tooLarge ? 413 : 400, "InvalidRequest", requestId);
    log(`${reply.response.status} for an unparsable request: ${error.code ?? error.message}`);
    const body = reply.response.body ?? Buffer.alloc(0);
    const head = [
      `HTTP/1.1 ${reply.response.status} ${reply.response.statusText}`,
      ...edgeHeaders(reply, requestId).map(([name, value]) => `${name}: ${value}`),
      `Content-Length: ${body.length}`,
      "Connection: close",
    ].join("\r\n");
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]));
  });
  const service = await listen(server, options, async () => {
    await functions.close();
    await accessLog?.flush();
  });
  return { ...service, cache, accessLog };
}
