// What DELETE /api/cards/<cardId> answers: 204 when nothing of the card is left; 202 with
// `cleanup: "pending"` when the row is deleted but a copy could not be removed yet (here the edge's
// invalidation is refused), with the operator's log line naming what is left, and no 5xx to retry.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { createApp } from "../../origin/api/app.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { cardBody, testNow } from "./edge-client.ts";

let dataApi: RunningService;
let client: RDSDataClient;
let app: ReturnType<typeof createApp>;
const logged: string[] = [];
let refuseInvalidation = false;

beforeAll(async () => {
  dataApi = await startDataApiStandIn({});
  client = new RDSDataClient(standInClientConfig(dataApi.url));
  const database = createDatabase({ ...localDatabase, client });
  await migrate(database);
  await seedDesigns(database);
  const edgeCache = {
    invalidate: async () => {
      if (refuseInvalidation) throw new Error("TooManyInvalidationsInProgress");
    },
  };
  app = createApp({
    database,
    version: "test",
    now: () => testNow,
    log: (line) => logged.push(line),
    edgeCache,
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dataApi?.close();
});

async function send(method: string, path: string, init: { body?: unknown; secret?: string } = {}) {
  const response = await app.fetch(
    new Request(`http://api.test${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(init.secret ? { "x-organiser-secret": init.secret } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    }),
  );
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const createCard = async () => (await send("POST", "/api/cards", { body: cardBody() })).json as CreatedCard;

describe("the answer to deleting a card", { timeout: 60_000 }, () => {
  it("is 204 with no body when every copy is gone", async () => {
    refuseInvalidation = false;
    const card = await createCard();
    const deleted = await send("DELETE", `/api/cards/${card.card.id}`, { secret: card.organiserSecret });
    expect(deleted).toEqual({ status: 204, json: undefined });
  });

  it("is 202 delete_incomplete, not a 5xx, when the row is gone but a copy is left for the operator", async () => {
    refuseInvalidation = true;
    const card = await createCard();
    const deleted = await send("DELETE", `/api/cards/${card.card.id}`, { secret: card.organiserSecret });
    expect(deleted.status).toBe(202);
    expect(deleted.json).toEqual({
      deleted: true,
      cleanup: "pending",
      code: "delete_incomplete",
      message: expect.stringMatching(/deleted.*may take a while/),
    });
    // No internals reach the client: the failure and the paths are the operator's.
    expect(JSON.stringify(deleted.json)).not.toMatch(/TooManyInvalidations|\/s\//);
    const line = logged.find((entry) => entry.startsWith(`card ${card.card.id} deleted, but not everything`));
    expect(line).toMatch(/"step":"edge_cache".*TooManyInvalidationsInProgress/);
    // The deletion itself held: the card is gone, so a retry finds no card.
    expect(
      (await send("DELETE", `/api/cards/${card.card.id}`, { secret: card.organiserSecret })).status,
    ).toBe(404);
  });
});
