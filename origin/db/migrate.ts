// Applies origin/db/migrations/*.sql in name order, each exactly once and in its own Data API
// transaction, recording what ran in schema_migrations. Runs the same locally and in AWS.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database } from "./data-api.ts";
import { splitStatements } from "./sql-lexer.ts";

const migrationsFolder = join(import.meta.dirname, "migrations");

// The Data API runs one statement per call, so a migration is sent statement by statement.
export { splitStatements } from "./sql-lexer.ts";

/** Returns the names of the migrations it applied (empty when the schema was up to date). */
export async function migrate(database: Database, folder = migrationsFolder): Promise<string[]> {
  await database.execute(
    "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const applied = new Set(
    (await database.query<{ name: string }>("SELECT name FROM schema_migrations")).map((row) => row.name),
  );
  const names = (await readdir(folder)).filter((name) => name.endsWith(".sql")).toSorted();
  const ran: string[] = [];
  for (const name of names) {
    if (applied.has(name)) continue;
    const statements = splitStatements(await readFile(join(folder, name), "utf8"));
    await database.transaction(async (transaction) => {
      for (const statement of statements) await transaction.execute(statement);
      await transaction.execute("INSERT INTO schema_migrations (name) VALUES (:name)", { name });
    });
    ran.push(name);
  }
  return ran;
}
