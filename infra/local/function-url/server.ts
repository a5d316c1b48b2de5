// The Lambda function URL on loopback: each HTTP request becomes the payload-2.0 event AWS sends, the
// handler runs in-process, and its result becomes the HTTP response the way Lambda interprets it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  FunctionUrlEvent,
  FunctionUrlResult,
  LambdaContext,
} from "../../../origin/aws/function-url-event.ts";
import type { RunningService } from "../service.ts";

export interface FunctionUrlStandInOptions {
  handler: (event: FunctionUrlEvent, context: LambdaContext) => Promise<unknown>;
  port?: number;
  host?: string;
  functionName?: string;
}

const maxPayloadBytes = 6 * 1024 * 1024;
const textTypes =
  /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded)|multipart\/form-data)/i;
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The requestContext.time format: 24/Nov/2026:17:00:00 +0000 */
export function requestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export function functionUrlEvent(
  incoming: IncomingMessage,
  body: Buffer,
  now: Date,
  requestId: string,
): FunctionUrlEvent {
  const rawUrl = incoming.url ?? "/";
  const queryAt = rawUrl.indexOf("?");
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    const name = (incoming.rawHeaders[index] ?? "").toLowerCase();
    const value = incoming.rawHeaders[index + 1] ?? "";
    if (name === "cookie")
      cookies.push(
        ...value
          .split(";")
          .map((part) => part.trim())
          .filter(Boolean),
      );
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString))
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const domainName = headers.host ?? "localhost";
  const text = textTypes.test(headers["content-type"] ?? "");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "goodgreetslocalapi",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: incoming.method ?? "GET",
        path: decodeURIComponent(rawPath),
        protocol: `HTTP/${incoming.httpVersion}`,
        sourceIp: (incoming.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey: "$default",
      stage: "$default",
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** Lambda reads an object with statusCode as the response; anything else is a 200 JSON body. */
function interpret(result: unknown): FunctionUrlResult {
  if (result !== null && typeof result === "object" && "statusCode" in result)
    return result as FunctionUrlResult;
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: typeof result === "string" ? result : JSON.stringify(result ?? null),
  };
}

export async function startFunctionUrlStandIn(options: FunctionUrlStandInOptions): Promise<RunningService> {
  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "application/json" });
      outgoing.end(JSON.stringify({ Message: "Internal Server Error" }));
    });
  });

  async function serve(incoming: IncomingMessage, outgoing: ServerResponse) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxPayloadBytes) chunks.push(chunk);
    }
    const requestId = randomUUID();
    if (size > maxPayloadBytes) {
      outgoing.writeHead(413, { "content-type": "application/json", "x-amzn-requestid": requestId });
      outgoing.end(
        JSON.stringify({
          Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
        }),
      );
      return;
    }
    const event = functionUrlEvent(incoming, Buffer.concat(chunks), new Date(), requestId);
    const deadline = Date.now() + 30_000;
    let result: FunctionUrlResult;
    try {
      result = interpret(
        await options.handler(event, {
          awsRequestId: requestId,
          functionName: options.functionName ?? "goodgreets-api",
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        }),
      );
    } catch (error) {
      console.error(`function URL: the handler failed (${requestId}):`, error);
      outgoing.writeHead(502, { "content-type": "application/json", "x-amzn-requestid": requestId });
      outgoing.end(JSON.stringify({ Message: "Internal Server Error" }));
      return;
    }
    const headers: [string, string][] = Object.entries(result.headers ?? {});
    for (const cookie of result.cookies ?? []) headers.push(["set-cookie", cookie]);
    headers.push(["x-amzn-requestid", requestId]);
    if (!headers.some(([name]) => name.toLowerCase() === "content-type"))
      headers.push(["content-type", "application/json"]);
    const body =
      result.body === undefined
        ? undefined
        : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
    outgoing.writeHead(result.statusCode, headers.flat());
    outgoing.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
