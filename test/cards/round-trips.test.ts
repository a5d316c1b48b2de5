// Data API calls per cards route, counted on a real database: one statement for every read and every
// public write, two for a write a secret authorises (the read whose hash is compared in constant time,
// then the guarded write). docs/api.md states the same table; the walk is in round-trips.ts.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { createApp } from "../../origin/api/app.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { cardBody, testNow } from "./edge-client.ts";
import { countRouteCalls } from "./round-trips.ts";

let dataApi: RunningService;
let client: RDSDataClient;
let database: Database;

beforeAll(async () => {
  dataApi = await startDataApiStandIn({});
  client = new RDSDataClient(standInClientConfig(dataApi.url));
  database = createDatabase({ ...localDatabase, client });
  await migrate(database);
  await seedDesigns(database);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dataApi?.close();
});

describe("Data API calls per route", () => {
  it("makes one statement per read and public write, two per secret-authorised write", async () => {
    const { table, deletedCardId: id } = await countRouteCalls(database, testNow);
    expect(Object.fromEntries(table)).toEqual({
      "GET /api/time": 0,
      "POST /api/cards": 1,
      "GET /api/sign/:signId": 1,
      "GET /s/:signId": 1,
      "POST /api/sign/:signId/signatures": 1,
      "GET /api/sign/:signId/signatures/:signatureId": 1,
      "PUT /api/sign/:signId/signatures/:signatureId": 2,
      "DELETE /api/sign/:signId/signatures/:signatureId": 2,
      "GET /api/cards/:cardId (organiser preview)": 1,
      "GET /api/cards/:cardId/organiser": 1,
      "PATCH /api/cards/:cardId": 2,
      "DELETE /api/cards/:cardId/signatures/:signatureId": 2,
      "POST /api/cards/:cardId/lock": 2,
      "GET /api/cards/:cardId (delivered)": 1,
      "POST /api/cards/:cardId/opened": 1,
      "DELETE /api/cards/:cardId": 2,
      "POST /api/cards/:cardId/cancel": 2,
    });
    // Deleting took the card's signatures with it.
    expect(
      await database.query("SELECT 1 FROM signatures WHERE card_id = :id", {
        id,
      }),
    ).toEqual([]);
  });
});

describe("a card whose schedule cannot be made", () => {
  it("is taken back with a 503 in the JSON error format: nothing half-written", async () => {
    const count = async () =>
      (await database.query("SELECT count(*)::int AS n FROM cards", {}))[0] as { n: number };
    const before = await count();
    const logged: string[] = [];
    const app = createApp({
      database,
      version: "test",
      now: () => testNow,
      signShell: { html: "<head></head>", siteUrl: "https://goodgreets.test" },
      log: (line) => logged.push(line),
      schedules: {
        put: async () => {
          throw new Error("Scheduler is unavailable");
        },
        remove: async () => {},
      },
    });
    const response = await app.fetch(
      new Request("http://api.test/api/cards", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(cardBody()),
      }),
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "scheduling_unavailable" } });
    expect(await count()).toEqual(before);
    expect(logged.join("\n")).toContain("Scheduler is unavailable");
  });
});
