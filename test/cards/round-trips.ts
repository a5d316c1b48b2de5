// Counts the Data API calls each cards route makes: walks every route once through the API app (no edge)
// with a database that counts its queries. The round-trips test asserts the table; `npm run bench` prints it.
import { createApp } from "../../origin/api/app.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import type { CreatedCard, CreatedSignature } from "../../origin/cards/views.ts";
import type { Database } from "../../origin/db/data-api.ts";
import { cardBody } from "./edge-client.ts";

export interface RouteCalls {
  /** Route (with a note where one route is walked twice) → Data API calls its request made. */
  table: [string, number][];
  /** The card the walk deleted, so a caller can check nothing of it is left. */
  deletedCardId: string;
}

/** Walks every cards route once on `database` (migrated and seeded), as of `now`. */
export async function countRouteCalls(database: Database, now: Date): Promise<RouteCalls> {
  let calls = 0;
  const counted: Pick<Database, "query"> = {
    query: (sql, params) => {
      calls += 1;
      return database.query(sql, params);
    },
  };
  const app = createApp({
    database: counted,
    version: "test",
    now: () => now,
    signShell: { html: "<head></head>", siteUrl: "https://goodgreets.test" },
  });
  /** Sends a request and returns its JSON and how many Data API calls it made. */
  const measure = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    calls = 0;
    const response = await app.fetch(
      new Request(`http://api.test${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return {
      calls,
      json: text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    };
  };
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
  const signed = (await note("POST /api/sign/:signId/signatures", "POST", `/api/sign/${signId}/signatures`, {
    name: "Ana",
    message: "Hi",
  })) as CreatedSignature;
  const other = (await measure("POST", `/api/sign/${signId}/signatures`, { name: "Ben", message: "Yo" }))
    .json as CreatedSignature;
  const own = `/api/sign/${signId}/signatures/${signed.signature.id}`;
  const signer = { "x-signature-secret": signed.secret };
  await note("GET /api/sign/:signId/signatures/:signatureId", "GET", own, undefined, signer);
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
  await markDelivered(database, id, now);
  await note("GET /api/cards/:cardId (delivered)", "GET", `/api/cards/${id}`);
  await note("POST /api/cards/:cardId/opened", "POST", `/api/cards/${id}/opened`);
  await note("DELETE /api/cards/:cardId", "DELETE", `/api/cards/${id}`, undefined, organiser);
  const second = (await measure("POST", "/api/cards", cardBody())).json as CreatedCard;
  await note("POST /api/cards/:cardId/cancel", "POST", `/api/cards/${second.card.id}/cancel`, undefined, {
    "x-organiser-secret": second.organiserSecret,
  });
  return { table, deletedCardId: id };
}
