// The health check: is the database reachable through the Data API. It names no engine or build: a public
// endpoint must not tell a prober which PostgreSQL release to aim at.
import type { Database } from "../db/data-api.ts";

export type Health =
  | { status: "ok"; version: string; database: { reachable: true } }
  | { status: "unavailable"; version: string; database: { reachable: false } };

const timeoutMs = 3000;

export async function checkHealth(
  database: Pick<Database, "query">,
  version: string,
  log: (message: string) => void,
): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      database.query("SELECT 1 AS reachable"),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: "ok", version, database: { reachable: true } };
  } catch (error) {
    log(`health: the database is unreachable: ${error instanceof Error ? error.message : String(error)}`);
    return { status: "unavailable", version, database: { reachable: false } };
  } finally {
    clearTimeout(timer);
  }
}
