// Applies origin/db/migrations/*.sql in name order, each exactly once and in its own Data API
// transaction, recording what ran in schema_migrations. Runs the same locally and in AWS.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database } from "./data-api.ts";

const migrationsFolder = join(import.meta.dirname, "migrations");

/**
 * Splits a migration into statements at top-level semicolons: never inside quotes, comments or
 * dollar-quoted bodies. (The Data API runs one statement per call.)
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let index = 0;
  while (index < sql.length) {
    const rest = sql.slice(index);
    const skip = /^'(?:[^']|'')*'|^"(?:[^"]|"")*"|^--[^\n]*|^\/\*[\s\S]*?\*\//.exec(rest);
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (skip) {
      current += skip[0].startsWith("--") ? "" : skip[0];
      index += skip[0].length;
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], index + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      current += sql.slice(index, stop);
      index = stop;
    } else if (sql[index] === ";") {
      statements.push(current);
      current = "";
      index += 1;
    } else {
      current += sql[index];
      index += 1;
    }
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== "");
}

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
