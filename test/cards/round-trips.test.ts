// Data API calls per cards route, counted on a real database: one statement for every read and every
// public write, two for a write a secret authorises (the read whose hash is compared in constant time,
// then the guarded write). docs/api.md states the same table.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { createApp } from "../../origin/api/app.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import type { CreatedCard, CreatedSignature } from "../../origin/cards/views.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { cardBody, testNow } from "./edge-client.ts";

let dataApi: RunningService;
let client: RDSDataClient;
let database: Database;
let calls = 0;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  dataApi = await startDataApiStandIn({});
  client = new RDSDataClient({ endpoint: dataApi.url, region: localRegion, credentials: localCredentials });
  database = createDatabase({ ...localDatabase, client });
  await migrate(database);
  await seedDesigns(database);
  const counted: Pick<Database, "query"> = {
    query: (sql, params) => {
      calls += 1;
      return database.query(sql, params);
    },
  };
  app = createApp({ database: counted, version: "test", now: () => testNow, signShell: "<head></head>" });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dataApi?.close();
});

/** Sends a request and returns its JSON and how many Data API calls it made. */
async function measure(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  calls = 0;
  const response = await app.fetch(
    new Request(`http://api.test${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  const text = await response.text();
  return {
    calls,
    json: text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
  };
}

describe("Data API calls per route", () => {
  it("makes one statement per read and public write, two per secret-authorised write", async () => {
    const table: [string, number][] = [];
    const note = async (
      route: string,
      method: string,
      path: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => {
      const result = await measure(method, path, body, headers);
      table.push([route, result.calls]);
      return result.json;
    };
    await note("GET /api/time", "GET", "/api/time");
    const created = (await note("POST /api/cards", "POST", "/api/cards", cardBody())) as CreatedCard;
    const id = created.card.id;
    const signId = created.links.sign.slice(3);
    const organiser = { "x-organiser-secret": created.organiserSecret };
    await note("GET /api/sign/:signId", "GET", `/api/sign/${signId}`);
    await note("GET /s/:signId", "GET", `/s/${signId}`);
    const signed = (await note(
      "POST /api/sign/:signId/signatures",
      "POST",
      `/api/sign/${signId}/signatures`,
      {
        name: "Ana",
        message: "Hi",
      },
    )) as CreatedSignature;
    const other = (await measure("POST", `/api/sign/${signId}/signatures`, { name: "Ben", message: "Yo" }))
      .json as CreatedSignature;
    const own = `/api/sign/${signId}/signatures/${signed.signature.id}`;
    const signer = { "x-signature-secret": signed.secret };
    await note(
      "PUT /api/sign/:signId/signatures/:signatureId",
      "PUT",
      own,
      { name: "Ana", message: "Hello" },
      signer,
    );
    await note("DELETE /api/sign/:signId/signatures/:signatureId", "DELETE", own, undefined, signer);
    await note("GET /api/cards/:cardId (organiser preview)", "GET", `/api/cards/${id}`, undefined, organiser);
    await note("GET /api/cards/:cardId/organiser", "GET", `/api/cards/${id}/organiser`, undefined, organiser);
    await note(
      "PATCH /api/cards/:cardId",
      "PATCH",
      `/api/cards/${id}`,
      { title: "Happy birthday!" },
      organiser,
    );
    await note(
      "DELETE /api/cards/:cardId/signatures/:signatureId",
      "DELETE",
      `/api/cards/${id}/signatures/${other.signature.id}`,
      undefined,
      organiser,
    );
    await note("POST /api/cards/:cardId/lock", "POST", `/api/cards/${id}/lock`, undefined, organiser);
    await markDelivered(database, id, testNow);
    await note("GET /api/cards/:cardId (delivered)", "GET", `/api/cards/${id}`);
    await note("POST /api/cards/:cardId/opened", "POST", `/api/cards/${id}/opened`);
    await note("DELETE /api/cards/:cardId", "DELETE", `/api/cards/${id}`, undefined, organiser);
    const second = (await measure("POST", "/api/cards", cardBody())).json as CreatedCard;
    await note("POST /api/cards/:cardId/cancel", "POST", `/api/cards/${second.card.id}/cancel`, undefined, {
      "x-organiser-secret": second.organiserSecret,
    });

    expect(Object.fromEntries(table)).toEqual({
      "GET /api/time": 0,
      "POST /api/cards": 1,
      "GET /api/sign/:signId": 1,
      "GET /s/:signId": 1,
      "POST /api/sign/:signId/signatures": 1,
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
