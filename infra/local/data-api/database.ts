// Runs one prepared statement on a PostgreSQL connection as the Data API does: every value as text, the
// response-size limit enforced while rows arrive (the statement is cancelled past it), the statement time
// limit enforced by the server, and PostgreSQL's errors turned into the Data API's.
import pg from "pg";
import { DataApiError } from "./errors.ts";
import type { MasterLogin } from "./postgres-server.ts";
import type { PreparedStatement } from "./statement.ts";

export interface StatementResult {
  fields: { name: string; typeId: number }[];
  rows: (string | null)[][];
  /** Rows changed by INSERT, UPDATE, DELETE, MERGE (PostgreSQL's command tag count). */
  rowCount: number;
}

export interface StatementLimits {
  /** Past this many bytes of row data the statement is cancelled and the call refused. */
  maxRowBytes: number;
  /** The server cancels a statement running longer (the connection's statement_timeout). */
  timeoutMs: number;
}

/** Every type as the text PostgreSQL sends, so the Data API's own formats apply. */
const textTypes = { getTypeParser: () => (text: string) => text };

/** A pool of connections as the master user, each limited to `timeoutMs` per statement. */
export function connectionPool(login: MasterLogin, max: number, limits: StatementLimits): pg.Pool {
  const pool = new pg.Pool({ ...login, max, statement_timeout: limits.timeoutMs });
  // An idle connection lost when the server stops is dropped by the pool; nothing else to do.
  pool.on("error", () => {});
  return pool;
}

/** Asks the server to cancel what `client` is running, over a connection of its own. */
async function cancel(login: MasterLogin, client: pg.ClientBase): Promise<void> {
  const canceller = new pg.Client(login);
  canceller.on("error", () => {});
  await canceller.connect();
  try {
    const backend = (client as unknown as { processID: number }).processID;
    await canceller.query("SELECT pg_cancel_backend($1)", [backend]);
  } finally {
    await canceller.end();
  }
}

interface PostgresError {
  message: string;
  code?: string;
  position?: string;
}

function dataApiError(error: PostgresError, limits: StatementLimits): DataApiError {
  // 57014 is query_canceled: by statement_timeout, or by us past the response size limit.
  if (error.code === "57014" && /statement timeout/.test(error.message))
    return new DataApiError(
      "StatementTimeoutException",
      `The statement did not finish within ${limits.timeoutMs / 1000} seconds and was cancelled`,
    );
  const position = error.position ? `\n  Position: ${error.position}` : "";
  return new DataApiError(
    "DatabaseErrorException",
    `ERROR: ${error.message}${position}; SQLState: ${error.code ?? ""}`,
  );
}

export async function runStatement(
  client: pg.ClientBase,
  login: MasterLogin,
  statement: PreparedStatement,
  limits: StatementLimits,
): Promise<StatementResult> {
  const query = new pg.Query({
    text: statement.text,
    values: statement.values,
    rowMode: "array",
    types: textTypes,
    // One statement per call, as the extended protocol allows.
    queryMode: "extended",
  } as pg.QueryConfig);
  const rows: (string | null)[][] = [];
  let bytes = 0;
  let tooLarge = false;
  let cancelling: Promise<void> | undefined;
  const outcome = new Promise<pg.QueryResult>((resolve, reject) => {
    query.on("row", (row: (string | null)[]) => {
      if (tooLarge) return;
      for (const value of row) bytes += (value?.length ?? 0) + 8;
      if (bytes <= limits.maxRowBytes) {
        rows.push(row);
        return;
      }
      tooLarge = true;
      rows.length = 0;
      cancelling = cancel(login, client).catch(() => {
        // The statement may have ended meanwhile; the size error stands either way.
      });
    });
    query.on("end", (result) => resolve(result as unknown as pg.QueryResult));
    query.on("error", reject);
  });
  client.query(query);
  let result: pg.QueryResult;
  try {
    result = await outcome;
  } catch (error) {
    // The connection is handed on only once the cancel cannot reach a later statement.
    await cancelling;
    if (tooLarge) throw responseTooLarge();
    if (error instanceof Error && "severity" in error) throw dataApiError(error as PostgresError, limits);
    throw error;
  }
  await cancelling;
  if (tooLarge) throw responseTooLarge();
  return {
    fields: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
    rows,
    rowCount: result.rowCount ?? 0,
  };
}

/** "Database response exceeded size limit": the Data API returns at most 1 MiB from the database.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.troubleshooting.html */
export const responseTooLarge = () =>
  new DataApiError("BadRequestException", "Database returned more than the allowed response size limit");
