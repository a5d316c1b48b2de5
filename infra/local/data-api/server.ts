// The RDS Data API on loopback over embedded PostgreSQL (PGlite), so the origin's real RDSDataClient runs
// here unchanged: the REST-JSON operations, typed parameters, result shapes, transactions and errors.
// https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/Welcome.html
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { localDatabase } from "../config.ts";
import type { RunningService } from "../service.ts";
import {
  type ResultOptions,
  type SqlParameter,
  StatementError,
  toField,
  toJsonValue,
  translateStatement,
  typeNames,
} from "./statement.ts";

export interface DataApiStandInOptions {
  /** Where PostgreSQL keeps its files; in memory when absent. */
  dataDir?: string;
  port?: number;
  host?: string;
  /** A transaction unused this long is rolled back (the Data API's 3 minutes). */
  transactionIdleTimeoutMs?: number;
}

type ErrorName =
  | "BadRequestException"
  | "DatabaseErrorException"
  | "ForbiddenException"
  | "TransactionNotFoundException"
  | "NotFoundException"
  | "InternalServerErrorException";
const errorStatus: Record<ErrorName, number> = {
  BadRequestException: 400,
  DatabaseErrorException: 400,
  ForbiddenException: 403,
  TransactionNotFoundException: 404,
  NotFoundException: 404,
  InternalServerErrorException: 500,
};

class DataApiError extends Error {
  readonly errorName: ErrorName;
  constructor(errorName: ErrorName, message: string) {
    super(message);
    this.errorName = errorName;
  }
}

const maxResponseBytes = 1024 * 1024;
const maxJsonResponseBytes = 10 * 1024 * 1024;

interface Transaction {
  id: string;
  timer: NodeJS.Timeout;
  release: () => void;
}

/** Every statement and transaction takes this lock: PGlite has one connection, so a Data API transaction
 * holds the database until it ends, and other statements wait (a local limitation; Aurora has many). */
class DatabaseLock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release = () => {};
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return acquired;
  }
}

// Types returned as raw text so the Data API's own formats apply, not PGlite's JavaScript parsing.
const rawText = Object.fromEntries(
  [
    16, 17, 20, 21, 23, 26, 114, 700, 701, 1082, 1083, 1114, 1184, 1700, 2950, 3802, 1000, 1005, 1007, 1016,
    1021, 1022, 1231, 1009, 1015,
  ].map((oid) => [oid, (text: string) => text]),
);

export async function startDataApiStandIn(options: DataApiStandInOptions = {}): Promise<RunningService> {
  const database = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await database.waitReady;
  await database.exec("SET TIME ZONE 'UTC'");
  const lock = new DatabaseLock();
  const transactions = new Map<string, Transaction>();
  const idleTimeoutMs = options.transactionIdleTimeoutMs ?? 3 * 60 * 1000;

  const touch = (transaction: Transaction) => {
    clearTimeout(transaction.timer);
    transaction.timer = setTimeout(() => {
      void endTransaction(transaction.id, "ROLLBACK").catch(() => {});
    }, idleTimeoutMs);
    transaction.timer.unref();
  };

  async function endTransaction(id: string, command: "COMMIT" | "ROLLBACK"): Promise<void> {
    const transaction = transactions.get(id);
    if (!transaction) throw new DataApiError("NotFoundException", `Transaction ${id} is not found`);
    transactions.delete(id);
    clearTimeout(transaction.timer);
    try {
      await database.query(command);
    } finally {
      transaction.release();
    }
  }

  async function run<T>(transactionId: string | undefined, work: () => Promise<T>): Promise<T> {
    if (transactionId !== undefined) {
      const transaction = transactions.get(transactionId);
      if (!transaction)
        throw new DataApiError("NotFoundException", `Transaction ${transactionId} is not found`);
      touch(transaction);
      return work();
    }
    const release = await lock.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  async function query(sql: string, parameters: SqlParameter[] | undefined) {
    let statement: ReturnType<typeof translateStatement>;
    try {
      statement = translateStatement(sql, parameters ?? []);
    } catch (error) {
      if (error instanceof StatementError) throw new DataApiError("BadRequestException", error.message);
      throw error;
    }
    try {
      return await database.query<unknown[]>(statement.text, statement.values, {
        rowMode: "array",
        parsers: rawText,
      });
    } catch (error) {
      const postgres = error as { message?: string; code?: string; position?: string };
      throw new DataApiError(
        "DatabaseErrorException",
        `ERROR: ${postgres.message ?? String(error)}${postgres.position ? `\n  Position: ${postgres.position}` : ""}${postgres.code ? `; SQLState: ${postgres.code}` : ""}`,
      );
    }
  }

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "/Execute": async (body) => {
      const sql = requireString(body, "sql");
      const formatRecordsAs = body.formatRecordsAs ?? "NONE";
      if (formatRecordsAs !== "NONE" && formatRecordsAs !== "JSON")
        throw new DataApiError("BadRequestException", `Invalid formatRecordsAs: ${String(formatRecordsAs)}`);
      const resultOptions = (body.resultSetOptions ?? {}) as ResultOptions;
      const result = await run(body.transactionId as string | undefined, () =>
        query(sql, body.parameters as SqlParameter[] | undefined),
      );
      const fields = result.fields;
      const response: Record<string, unknown> = {
        numberOfRecordsUpdated: fields.length > 0 ? 0 : (result.affectedRows ?? 0),
        generatedFields: [],
      };
      if (fields.length > 0) {
        if (formatRecordsAs === "JSON") {
          const records = result.rows.map((row) =>
            Object.fromEntries(
              fields.map((field, index) => [
                field.name,
                toJsonValue(row[index] as string | null, field.dataTypeID, resultOptions),
              ]),
            ),
          );
          response.formattedRecords = JSON.stringify(records);
        } else {
          response.records = result.rows.map((row) =>
            fields.map((field, index) =>
              toField(row[index] as string | null, field.dataTypeID, resultOptions),
            ),
          );
        }
        if (body.includeResultMetadata) {
          response.columnMetadata = fields.map((field) => {
            const [typeName, type] = typeNames[field.dataTypeID] ?? ["unknown", 1111];
            return {
              name: field.name,
              label: field.name,
              typeName,
              type,
              nullable: 2,
              precision: 0,
              scale: 0,
              isSigned: [20, 21, 23, 700, 701, 1700].includes(field.dataTypeID),
              isAutoIncrement: false,
              isCaseSensitive: typeName === "text" || typeName === "varchar",
              isCurrency: false,
              arrayBaseColumnType: 0,
              schemaName: "",
              tableName: "",
            };
          });
        }
      }
      const size = Buffer.byteLength(JSON.stringify(response));
      if (size > (formatRecordsAs === "JSON" ? maxJsonResponseBytes : maxResponseBytes))
        throw new DataApiError(
          "BadRequestException",
          "Database returned more than the allowed response size limit",
        );
      return response;
    },
    "/BatchExecute": async (body) => {
      const sql = requireString(body, "sql");
      const sets = (body.parameterSets ?? [[]]) as SqlParameter[][];
      if (!Array.isArray(sets)) throw new DataApiError("BadRequestException", "parameterSets must be a list");
      const transactionId = body.transactionId as string | undefined;
      return run(transactionId, async () => {
        // Outside a transaction a batch is still all or nothing.
        if (!transactionId) await database.query("BEGIN");
        try {
          const updateResults = [];
          for (const set of sets.length > 0 ? sets : [[]]) {
            await query(sql, set);
            updateResults.push({ generatedFields: [] });
          }
          if (!transactionId) await database.query("COMMIT");
          return { updateResults };
        } catch (error) {
          if (!transactionId) await database.query("ROLLBACK");
          throw error;
        }
      });
    },
    "/BeginTransaction": async () => {
      const release = await lock.acquire();
      try {
        await database.query("BEGIN");
      } catch (error) {
        release();
        throw error;
      }
      const id = randomBytes(48).toString("base64");
      const transaction: Transaction = { id, release, timer: setTimeout(() => {}, 0) };
      transactions.set(id, transaction);
      touch(transaction);
      return { transactionId: id };
    },
    "/CommitTransaction": async (body) => {
      await endTransaction(requireString(body, "transactionId"), "COMMIT");
      return { transactionStatus: "Transaction Committed" };
    },
    "/RollbackTransaction": async (body) => {
      await endTransaction(requireString(body, "transactionId"), "ROLLBACK");
      return { transactionStatus: "Rollback Complete" };
    },
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error("data-api stand-in:", error);
      send(response, 500, { message: "Internal error" }, "InternalServerErrorException");
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    try {
      const operation = operations[request.url ?? ""];
      if (request.method !== "POST" || !operation)
        throw new DataApiError("BadRequestException", `Unknown operation ${request.method} ${request.url}`);
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? ""))
        throw new DataApiError("ForbiddenException", "Missing Authentication Token");
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        throw new DataApiError("BadRequestException", "The request body is not valid JSON");
      }
      if (body.resourceArn !== localDatabase.resourceArn)
        throw new DataApiError(
          "BadRequestException",
          `Database cluster ${String(body.resourceArn)} not found`,
        );
      if (body.secretArn !== localDatabase.secretArn)
        throw new DataApiError("BadRequestException", `Secret ${String(body.secretArn)} not found`);
      if (body.database !== undefined && body.database !== localDatabase.database)
        throw new DataApiError("BadRequestException", `Database ${String(body.database)} does not exist`);
      send(response, 200, await operation(body));
    } catch (error) {
      if (error instanceof DataApiError)
        send(response, errorStatus[error.errorName], { message: error.message }, error.errorName);
      else throw error;
    }
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
      closing ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const id of [...transactions.keys()]) await endTransaction(id, "ROLLBACK").catch(() => {});
        await database.close();
      })();
      return closing;
    },
  };
}

function requireString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "")
    throw new DataApiError("BadRequestException", `${name} is required`);
  return value;
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-requestid": randomBytes(16).toString("hex"),
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  response.end(text);
}
