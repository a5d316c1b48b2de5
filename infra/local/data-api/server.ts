// The RDS Data API on loopback over a real PostgreSQL 17 server, so the origin's RDSDataClient, boto3, the
// AWS CLI and drizzle-orm's Data API driver run against it unchanged: REST-JSON operations, SigV4 checked on
// every request, typed parameters, result shapes, transactions and errors.
// https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/Welcome.html

import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { signedRequestOf, verifySignature } from "../aws-signature.ts";
import { localCredentials, localDatabase, localRegion } from "../config.ts";
import { readBody } from "../request-body.ts";
import { listen, type RunningService } from "../service.ts";
import { connectionPool } from "./database.ts";
import { DataApiError } from "./errors.ts";
import { DataApiOperations, maxJsonResponseBytes } from "./operations.ts";
import { startPostgres } from "./postgres-server.ts";
import {
  batchExecuteStatement,
  beginTransaction,
  endTransaction,
  executeStatement,
  parseBody,
  readRequest,
} from "./request.ts";
import { Transactions } from "./transactions.ts";

export interface DataApiStandInOptions {
  /** Where PostgreSQL keeps its files across restarts; a temporary folder when absent. */
  dataDir?: string;
  /** The Data API's HTTP port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** PostgreSQL's own port on loopback; 0 (the default) picks a free one. */
  postgresPort?: number;
  /** A transaction without a call for this long is rolled back (the Data API's 3 minutes). */
  transactionIdleTimeoutMs?: number;
  /** A statement running longer is cancelled with StatementTimeoutException (the Data API's 45 s). */
  statementTimeoutMs?: number;
  /** The clock the signature's time is checked against, for tests. */
  now?: () => number;
}

/** Connections for statements outside transactions, and for open transactions (one each). */
const statementConnections = 20;
const transactionConnections = 60;
/** A bound on what one call may send (the SQL itself is at most 64 Ki characters; batches carry many parameter sets). */
const maxRequestBytes = maxJsonResponseBytes;

/**
 * What AWS's JSON services answer when the signature fails: 403 with the error type in x-amzn-ErrorType
 * (e.g. InvalidSignatureException, as in https://github.com/aws/aws-sdk-js-v3/issues/845).
 */
function signatureError(code: string, message: string): DataApiError {
  if (code === "AccessDenied" && /anonymous/.test(message))
    return new DataApiError("MissingAuthenticationTokenException", "Missing Authentication Token");
  if (code === "InvalidAccessKeyId")
    return new DataApiError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  if (code === "RequestTimeTooSkewed")
    return new DataApiError("InvalidSignatureException", "Signature expired.");
  if (code === "SignatureDoesNotMatch")
    return new DataApiError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  return new DataApiError("InvalidSignatureException", message);
}

/** The cluster, secret and database of a request must be the local ones; `schema` is refused. */
function checkTarget(body: { resourceArn: string; secretArn: string; database?: string; schema?: string }) {
  if (body.resourceArn !== localDatabase.resourceArn)
    throw new DataApiError(
      "BadRequestException",
      `HttpEndpoint is not enabled for cluster ${body.resourceArn}`,
    );
  if (body.secretArn !== localDatabase.secretArn)
    throw new DataApiError("BadRequestException", `Secret ${body.secretArn} not found`);
  if (body.database !== undefined && body.database !== localDatabase.database)
    throw new DataApiError("DatabaseErrorException", `FATAL: database "${body.database}" does not exist`);
  if (body.schema !== undefined)
    throw new DataApiError("ValidationException", "The schema parameter isn't supported");
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomBytes(16).toString("hex"),
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  response.end(text);
}

export async function startDataApiStandIn(options: DataApiStandInOptions = {}): Promise<RunningService> {
  const timeoutMs = options.statementTimeoutMs ?? 45_000;
  const now = options.now ?? Date.now;
  const postgres = await startPostgres({
    database: localDatabase.database,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.postgresPort !== undefined ? { port: options.postgresPort } : {}),
  });
  const limits = { maxRowBytes: maxJsonResponseBytes, timeoutMs };
  const pool = connectionPool(postgres.login, statementConnections, limits);
  const transactionPool = connectionPool(postgres.login, transactionConnections, limits);
  const transactions = new Transactions(transactionPool, options.transactionIdleTimeoutMs ?? 3 * 60 * 1000);
  const operations = new DataApiOperations({ login: postgres.login, pool, transactions, timeoutMs });

  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    "/Execute": (body) => {
      const request = readRequest(executeStatement, body);
      checkTarget(request);
      return operations.execute(request);
    },
    "/BatchExecute": (body) => {
      const request = readRequest(batchExecuteStatement, body);
      checkTarget(request);
      return operations.batchExecute(request);
    },
    "/BeginTransaction": (body) => {
      checkTarget(readRequest(beginTransaction, body));
      return operations.beginTransaction();
    },
    "/CommitTransaction": (body) => {
      const request = readRequest(endTransaction, body);
      checkTarget(request);
      return operations.commitTransaction(request.transactionId);
    },
    "/RollbackTransaction": (body) => {
      const request = readRequest(endTransaction, body);
      checkTarget(request);
      return operations.rollbackTransaction(request.transactionId);
    },
  };

  async function answer(request: IncomingMessage): Promise<unknown> {
    const body = await readBody(request, maxRequestBytes);
    if (body === undefined) throw new DataApiError("BadRequestException", "The request body is too large");
    const url = request.url ?? "/";
    const verdict = await verifySignature(signedRequestOf(request), {
      service: "rds-data",
      region: localRegion,
      credentials: [localCredentials],
      uriEscapePath: true,
      now: now(),
      bodySha256: createHash("sha256").update(body).digest("hex"),
    });
    if (!verdict.ok) throw signatureError(verdict.code, verdict.message);
    const route = routes[url];
    if (request.method !== "POST" || !route)
      throw new DataApiError("NotFoundException", `Unknown operation ${request.method} ${url}`);
    return route(parseBody(body.toString("utf8")));
  }

  const server = createServer((request, response) => {
    answer(request).then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        if (error instanceof DataApiError) {
          send(response, error.status, { message: error.message }, error.errorName);
          return;
        }
        console.error("data-api stand-in:", error);
        send(response, 500, { message: "An internal error occurred" }, "InternalServerErrorException");
      },
    );
  });

  const release = async () => {
    transactions.closeAll();
    await postgres.stop();
    await Promise.all([pool.end(), transactionPool.end()]);
  };
  try {
    return await listen(server, options, release);
  } catch (error) {
    await release();
    throw error;
  }
}
