// The origin's database handle: SQL with named parameters over the RDS Data API (Aurora Serverless v2
// PostgreSQL). The same code runs in AWS and against the local stand-in; only the endpoint differs.
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from "@aws-sdk/client-rds-data";

/** A value a statement may bind: JSON documents are passed as `{ json: value }`. */
export type SqlValue = string | number | boolean | null | Uint8Array | Date | { json: unknown };

export interface DatabaseConfig {
  resourceArn: string;
  secretArn: string;
  database: string;
  client?: RDSDataClient;
}

export interface Database {
  /** Runs a query and returns its rows as objects keyed by column name. */
  query<Row = Record<string, unknown>>(sql: string, params?: Record<string, SqlValue>): Promise<Row[]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(sql: string, params?: Record<string, SqlValue>): Promise<number>;
  /** Runs `work` in one Data API transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (database: Database) => Promise<T>): Promise<T>;
}

/** Maps a JavaScript value to the Data API's typed parameter. */
export function toSqlParameter(name: string, value: SqlValue): SqlParameter {
  if (value === null) return { name, value: { isNull: true } };
  if (typeof value === "string") return { name, value: { stringValue: value } };
  if (typeof value === "boolean") return { name, value: { booleanValue: value } };
  if (typeof value === "number")
    return Number.isInteger(value)
      ? { name, value: { longValue: value } }
      : { name, value: { doubleValue: value } };
  if (value instanceof Uint8Array) return { name, value: { blobValue: value } };
  if (value instanceof Date)
    return {
      name,
      value: { stringValue: value.toISOString().replace("T", " ").replace("Z", "") },
      typeHint: "TIMESTAMP",
    };
  return { name, value: { stringValue: JSON.stringify(value.json) }, typeHint: "JSON" };
}

export function createDatabase(config: DatabaseConfig): Database {
  const client = config.client ?? new RDSDataClient({});
  const target = { resourceArn: config.resourceArn, secretArn: config.secretArn, database: config.database };
  const parameters = (params: Record<string, SqlValue>) =>
    Object.entries(params).map(([name, value]) => toSqlParameter(name, value));

  const bound = (transactionId: string | undefined): Database => ({
    async query<Row>(sql: string, params: Record<string, SqlValue> = {}) {
      const result = await client.send(
        new ExecuteStatementCommand({
          ...target,
          sql,
          parameters: parameters(params),
          formatRecordsAs: "JSON",
          transactionId,
        }),
      );
      return JSON.parse(result.formattedRecords ?? "[]") as Row[];
    },
    async execute(sql, params = {}) {
      const result = await client.send(
        new ExecuteStatementCommand({ ...target, sql, parameters: parameters(params), transactionId }),
      );
      return result.numberOfRecordsUpdated ?? 0;
    },
    async transaction(work) {
      // Nested calls join the transaction already open.
      if (transactionId) return work(bound(transactionId));
      const { transactionId: id } = await client.send(new BeginTransactionCommand(target));
      if (!id) throw new Error("the Data API returned no transaction id");
      try {
        const result = await work(bound(id));
        await client.send(
          new CommitTransactionCommand({
            resourceArn: target.resourceArn,
            secretArn: target.secretArn,
            transactionId: id,
          }),
        );
        return result;
      } catch (error) {
        await client
          .send(
            new RollbackTransactionCommand({
              resourceArn: target.resourceArn,
              secretArn: target.secretArn,
              transactionId: id,
            }),
          )
          .catch(() => {});
        throw error;
      }
    },
  });
  return bound(undefined);
}
