// drizzle-orm's `aws-data-api/pg` driver, a client this project did not write, against the Data API stand-in:
// `:1`-style parameters, typed values, RETURNING, updates and a transaction with a nested savepoint.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/aws-data-api/pg";
import { bigint, boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";

const cards = pgTable("drizzle_cards", {
  id: integer("id").primaryKey(),
  title: text("title").notNull(),
  signatures: bigint("signatures", { mode: "number" }).notNull().default(0),
  sent: boolean("sent").notNull().default(false),
  sendAt: timestamp("send_at", { mode: "date" }),
});

let service: RunningService;
let client: RDSDataClient;
let db: ReturnType<typeof drizzle>;

beforeAll(async () => {
  service = await startDataApiStandIn();
  client = new RDSDataClient(standInClientConfig(service.url));
  db = drizzle(client, {
    database: localDatabase.database,
    resourceArn: localDatabase.resourceArn,
    secretArn: localDatabase.secretArn,
  });
  await db.execute(
    sql`CREATE TABLE drizzle_cards (id int PRIMARY KEY, title text NOT NULL, signatures bigint NOT NULL DEFAULT 0, sent boolean NOT NULL DEFAULT false, send_at timestamp)`,
  );
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await service?.close();
});

it("inserts with RETURNING, selects, updates and deletes through drizzle-orm", async () => {
  const sendAt = new Date("2026-12-24T18:00:00.000Z");
  const inserted = await db
    .insert(cards)
    .values({ id: 1, title: "Happy birthday, Ana", sendAt })
    .returning({ id: cards.id, title: cards.title });
  expect(inserted).toEqual([{ id: 1, title: "Happy birthday, Ana" }]);

  await db.update(cards).set({ signatures: 7, sent: true }).where(eq(cards.id, 1));
  const [card] = await db.select().from(cards).where(eq(cards.id, 1));
  expect(card).toEqual({ id: 1, title: "Happy birthday, Ana", signatures: 7, sent: true, sendAt });

  await db.delete(cards).where(eq(cards.id, 1));
  expect(await db.select().from(cards)).toEqual([]);
});

it("commits a drizzle transaction and rolls back its failed savepoint", async () => {
  await db.transaction(async (transaction) => {
    await transaction.insert(cards).values({ id: 2, title: "Kept" });
    await expect(
      transaction.transaction(async (nested) => {
        await nested.insert(cards).values({ id: 3, title: "Dropped" });
        throw new Error("change of mind");
      }),
    ).rejects.toThrow("change of mind");
  });
  const titles = (await db.select({ title: cards.title }).from(cards)).map((row) => row.title);
  expect(titles).toEqual(["Kept"]);
});
