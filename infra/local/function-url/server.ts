// The Lambda function URL (auth type AWS_IAM) on loopback: each request must carry a SigV4 signature, as
// CloudFront's origin access control signs it; it then becomes the payload-2.0 event AWS sends, the
// handler runs in-process, and its result becomes the HTTP response the way Lambda interprets it.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type {
  FunctionUrlEvent,
  FunctionUrlResult,
  LambdaContext,
} from "../../../origin/aws/function-url-event.ts";
import { type SigningCredentials, sha256Hex, signedRequestOf, verifySignature } from "../aws-signature.ts";
import { readBody } from "../request-body.ts";
import { BufferBudget } from "../s3/buffer-budget.ts";
import { listen, type RunningService } from "../service.ts";
import { type Refusal, refusal } from "./refusals.ts";

export interface FunctionUrlStandInOptions {
  handler: (event: FunctionUrlEvent, context: LambdaContext) => Promise<unknown>;
  /** Who may invoke the URL: the edge's signing identity (OAC), nobody else. */
  signing: { region: string; credentials: readonly SigningCredentials[] };
  port?: number;
  host?: string;
  functionName?: string;
  /** The clock the signature's time is checked against, for tests. */
  now?: () => number;
  /** Request bytes held in memory at once across all invocations; more gets 429 (64 MB by default). */
  maxBufferedBytes?: number;
}

const maxPayloadBytes = 6 * 1024 * 1024;
const textTypes =
  /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded)|multipart\/form-data)/i;
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The decoded path for requestContext.http.path; a sequence that does not decode stays as it came. */
function decodedPath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

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
        path: decodedPath(rawPath),
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
  const now = options.now ?? Date.now;
  const budget = new BufferBudget(options.maxBufferedBytes ?? 64 * 1024 * 1024);
  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      console.error("function URL: the request failed:", error);
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "application/json" });
      outgoing.end(JSON.stringify({ Message: "Internal Server Error" }));
    });
  });

  function reply(outgoing: ServerResponse, answer: Refusal, requestId: string) {
    outgoing.writeHead(answer.status, {
      "content-type": "application/json",
      "x-amzn-requestid": requestId,
      ...(answer.errorType ? { "x-amzn-errortype": answer.errorType } : {}),
    });
    outgoing.end(JSON.stringify(answer.body));
  }

  async function serve(incoming: IncomingMessage, outgoing: ServerResponse) {
    const requestId = randomUUID();
    const declared = Number(incoming.headers["content-length"] ?? Number.NaN);
    if (declared > maxPayloadBytes) {
      outgoing.shouldKeepAlive = false;
      return reply(outgoing, refusal({ kind: "too-large" }), requestId);
    }
    // Lambda's concurrency is bounded; here the bound is on the bytes waiting in memory, so many slow
    // clients cannot grow it. A body of unknown length may take up to the payload limit.
    const release = budget.reserve(Number.isFinite(declared) ? declared : maxPayloadBytes);
    if (!release) {
      outgoing.shouldKeepAlive = false;
      return reply(outgoing, refusal({ kind: "throttled" }), requestId);
    }
    try {
      await invoke(incoming, outgoing, requestId);
    } finally {
      release();
    }
  }

  async function invoke(incoming: IncomingMessage, outgoing: ServerResponse, requestId: string) {
    const body = await readBody(incoming, maxPayloadBytes);
    if (!body) return reply(outgoing, refusal({ kind: "too-large" }), requestId);

    // Lambda hashes the body itself and takes no unsigned payload, so a POST whose signer (CloudFront)
    // was given no or a wrong x-amz-content-sha256 fails as a signature mismatch.
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html
    const verdict = await verifySignature(signedRequestOf(incoming), {
      service: "lambda",
      region: options.signing.region,
      credentials: options.signing.credentials,
      uriEscapePath: true,
      now: now(),
      bodySha256: sha256Hex(body),
    });
    if (!verdict.ok) return reply(outgoing, refusal({ kind: "signature", verdict }), requestId);

    const event = functionUrlEvent(incoming, body, new Date(now()), requestId);
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
      return reply(outgoing, refusal({ kind: "function-error" }), requestId);
    }
    const responseHeaders: [string, string][] = Object.entries(result.headers ?? {});
    for (const cookie of result.cookies ?? []) responseHeaders.push(["set-cookie", cookie]);
    responseHeaders.push(["x-amzn-requestid", requestId]);
    if (!responseHeaders.some(([name]) => name.toLowerCase() === "content-type"))
      responseHeaders.push(["content-type", "application/json"]);
    const responseBody =
      result.body === undefined
        ? undefined
        : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
    outgoing.writeHead(result.statusCode, responseHeaders.flat());
    outgoing.end(responseBody);
  }

  return listen(server, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
}
