// The five Data API operations over PostgreSQL: statements outside a transaction take a pooled connection
// for the call alone, so they never wait on an idle transaction (only on the row locks it holds).
// https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_Operations.html
import type pg from "pg";
import { responseTooLarge, runStatement, type StatementLimits, type StatementResult } from "./database.ts";
import { DataApiError } from "./errors.ts";
import type { MasterLogin } from "./postgres-server.ts";
import type { ExecuteStatementRequest, ResultOptions, SqlParameter } from "./request.ts";
import { checkColumnType, columnMetadata, type ResultField, toField, toJsonValue } from "./results.ts";
import { checkStatement, translateStatement } from "./statement.ts";
import type { Transactions } from "./transactions.ts";

/** The response limits: 1 MiB of records, 10 MiB of JSON-formatted records.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html and
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api-json.html */
export const maxResponseBytes = 1024 * 1024;
export const maxJsonResponseBytes = 10 * 1024 * 1024;

export interface DataApiDatabase {
  login: MasterLogin;
  pool: pg.Pool;
  transactions: Transactions;
  timeoutMs: number;
}

export class DataApiOperations {
  readonly #database: DataApiDatabase;

  constructor(database: DataApiDatabase) {
    this.#database = database;
  }

  /** Runs `work` on the transaction's connection, or on a pooled one held for this call alone. */
  async #onConnection<T>(transactionId: string | undefined, work: (client: pg.ClientBase) => Promise<T>) {
    if (transactionId !== undefined) return this.#database.transactions.run(transactionId, work);
    const client = await this.#database.pool.connect();
    let broken = false;
    try {
      return await work(client);
    } catch (error) {
      broken = !(error instanceof DataApiError);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  #run(client: pg.ClientBase, sql: string, parameters: readonly SqlParameter[], maxRowBytes: number) {
    checkStatement(sql);
    const limits: StatementLimits = { maxRowBytes, timeoutMs: this.#database.timeoutMs };
    return runStatement(client, this.#database.login, translateStatement(sql, parameters), limits);
  }

  async execute(request: ExecuteStatementRequest): Promise<Record<string, unknown>> {
    const json = request.formatRecordsAs === "JSON";
    const limit = json ? maxJsonResponseBytes : maxResponseBytes;
    const result = await this.#onConnection(request.transactionId, (client) =>
      this.#run(client, request.sql, request.parameters ?? [], limit),
    );
    const response = encodeResult(result, request);
    if (Buffer.byteLength(JSON.stringify(response)) > limit) throw responseTooLarge();
    return response;
  }

  async batchExecute(request: {
    sql: string;
    parameterSets?: SqlParameter[][] | undefined;
    transactionId?: string | undefined;
  }) {
    const sets = request.parameterSets && request.parameterSets.length > 0 ? request.parameterSets : [[]];
    return this.#onConnection(request.transactionId, async (client) => {
      // Outside a transaction a batch is still all or nothing.
      const own = request.transactionId === undefined;
      if (own) await client.query("BEGIN");
      try {
        const updateResults = [];
        for (const set of sets) {
          await this.#run(client, request.sql, set, maxResponseBytes);
          // Aurora PostgreSQL returns no generated fields from a batch.
          // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.differences.html
          updateResults.push({ generatedFields: [] });
        }
        if (own) await client.query("COMMIT");
        return { updateResults };
      } catch (error) {
        if (own) await client.query("ROLLBACK");
        throw error;
      }
    });
  }

  async beginTransaction() {
    return { transactionId: await this.#database.transactions.begin() };
  }

  async commitTransaction(transactionId: string) {
    await this.#database.transactions.end(transactionId, "COMMIT");
    return { transactionStatus: "Transaction Committed" };
  }

  async rollbackTransaction(transactionId: string) {
    await this.#database.transactions.end(transactionId, "ROLLBACK");
    return { transactionStatus: "Rollback Complete" };
  }
}

/** An ExecuteStatement response: records (typed fields or JSON), metadata and the update count. */
function encodeResult(result: StatementResult, request: ExecuteStatementRequest): Record<string, unknown> {
  const options: ResultOptions = request.resultSetOptions ?? {};
  const { fields, rows } = result;
  for (const field of fields) checkColumnType(field.typeId);
  // A statement that returns rows reports 0 records updated, RETURNING included: the Data API reports the
  // JDBC update count, which is -1 (shown as 0) when the statement produced a result set. Seen on Aurora in
  // https://github.com/jeremydaly/data-api-client/issues/81 (INSERT … RETURNING: numberOfRecordsUpdated 0).
  const response: Record<string, unknown> = {
    numberOfRecordsUpdated: fields.length > 0 ? 0 : result.rowCount,
    generatedFields: [],
  };
  if (fields.length === 0) return response;
  if (request.formatRecordsAs === "JSON") {
    const records = rows.map((row) =>
      Object.fromEntries(
        fields.map((field, index) => [field.name, toJsonValue(row[index] ?? null, field.typeId, options)]),
      ),
    );
    response.formattedRecords = JSON.stringify(records);
  } else {
    response.records = rows.map((row): ResultField[] =>
      fields.map((field, index) => toField(row[index] ?? null, field.typeId, options)),
    );
  }
  if (request.includeResultMetadata)
    response.columnMetadata = fields.map((field) => columnMetadata(field.name, field.typeId));
  return response;
}
