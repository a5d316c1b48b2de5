// Bad input on every cards route: malformed JSON, wrong types, empty and oversize strings, control
// characters, bad emails, past and too-far dates, nonexistent local times, unknown zones, unknown ids and
// wrong secrets. Each gets a 4xx JSON error naming the field, never a 5xx, and nothing is written.
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { createApp } from "../../origin/api/app.ts";
import { seedDesigns } from "../../origin/cards/design-seed.ts";
import type { CreatedCard, CreatedSignature } from "../../origin/cards/views.ts";
import { createDatabase, type Database } from "../../origin/db/data-api.ts";
import { migrate } from "../../origin/db/migrate.ts";
import { cardBody, testNow } from "./edge-client.ts";

let dataApi: RunningService;
let client: RDSDataClient;
let database: Database;
let app: ReturnType<typeof createApp>;
const logged: string[] = [];

interface Answer {
  status: number;
  json: { error?: { code: string; field?: string; message: string } };
}

async function send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await app.fetch(
    new Request(`http://api.test${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    }),
  );
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {} } as Answer;
}

let card: CreatedCard;
let signature: CreatedSignature;
let closedCard: CreatedCard;
const signPathOf = (created: CreatedCard) => `/api/sign/${created.links.sign.slice(3)}`;

beforeAll(async () => {
  dataApi = await startDataApiStandIn({});
  client = new RDSDataClient(standInClientConfig(dataApi.url));
  database = createDatabase({ ...localDatabase, client });
  await migrate(database);
  await seedDesigns(database);
  app = createApp({ database, version: "test", now: () => testNow, log: (line) => logged.push(line) });
  card = (await send("POST", "/api/cards", JSON.stringify(cardBody()))).json as unknown as CreatedCard;
  signature = (
    await send("POST", `${signPathOf(card)}/signatures`, JSON.stringify({ name: "Ana", message: "Hello" }))
  ).json as unknown as CreatedSignature;
  closedCard = (await send("POST", "/api/cards", JSON.stringify(cardBody()))).json as unknown as CreatedCard;
  await send("POST", `/api/cards/${closedCard.card.id}/cancel`, undefined, {
    "x-organiser-secret": closedCard.organiserSecret,
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dataApi?.close();
});

/** Every row of the cards and signatures tables, so "nothing written" can be compared exactly. */
const snapshot = () =>
  database.query(
    `SELECT (SELECT coalesce(string_agg(c::text, '|' ORDER BY c.id), '') FROM cards c) AS cards,
       (SELECT coalesce(string_agg(s::text, '|' ORDER BY s.id), '') FROM signatures s) AS signatures`,
  );

/** Values each field must refuse, beside the ones that are wrong for any string field. */
const anyString: [string, unknown][] = [
  ["a number", 42],
  ["null", null],
  ["an array", ["x"]],
  ["an object", { x: 1 }],
  ["a boolean", true],
  ["an empty string", ""],
  ["only spaces", "   "],
  ["a NUL", "a\u0000b"],
  ["a lone surrogate", "a\ud800b"],
];
const oneLine = (max: number): [string, unknown][] => [
  ...anyString,
  ["a control character", "a\u0007b"],
  ["a line break", "a\nb"],
  ["DEL", "a\u007fb"],
  ["a C1 control", "a\u0085b"],
  ["oversize", "x".repeat(max + 1)],
];
const emails: [string, unknown][] = [
  ...anyString,
  ["no @", "sam.example.com"],
  ["no domain dot", "sam@example"],
  ["two @", "sam@@example.com"],
  ["a space", "sam smith@example.com"],
  ["markup", "<script>@example.com"],
  ["oversize", `${"x".repeat(250)}@example.com`],
];
const deliveryTimes: [string, unknown][] = [
  ...anyString,
  ["the past", "2027-02-28T09:00"],
  ["now", "2027-03-01T09:00"],
  ["too far", "2027-06-01T10:01"],
  ["a year ahead", "2028-03-01T09:00"],
  ["a nonexistent local time", "2027-03-28T01:30"],
  ["off the calendar", "2027-02-30T09:00"],
  ["hour 24", "2027-04-01T24:00"],
  ["seconds", "2027-04-01T09:00:00"],
  ["an offset", "2027-04-01T09:00Z"],
  ["a single-digit hour", "2027-04-01T9:00"],
];
const timeZones: [string, unknown][] = [
  ...anyString,
  ["an unknown zone", "Mars/Olympus_Mons"],
  ["an offset", "+01:00"],
  ["a trailing newline", "Europe/London\n"],
  ["oversize", `Europe/${"x".repeat(80)}`],
  ["a path", "../etc/passwd"],
];

const cardFields: Record<string, [string, unknown][]> = {
  design: [...anyString, ["an unknown design", "no-such-design"], ["not a slug", "Balloon Bunch"]],
  title: oneLine(120),
  recipientName: oneLine(80),
  recipientEmail: emails,
  senderName: oneLine(80),
  senderEmail: emails,
  deliverAt: deliveryTimes,
  timeZone: timeZones,
};
const signatureFields: Record<string, [string, unknown][]> = {
  name: oneLine(80),
  message: [...anyString, ["oversize", "x".repeat(1001)], ["a control character", "a\u0001b"]],
  colour: [
    ["a number", 1],
    ["an unknown colour", "red"],
    ["null", null],
  ],
  font: [
    ["an unknown font", "comic-sans"],
    ["an array", ["classic"]],
  ],
};
const wholeBodies: [string, string | undefined][] = [
  ["no body", undefined],
  ["an empty body", ""],
  ["malformed JSON", "{"],
  ["trailing garbage", '{"a":1} x'],
  ["null", "null"],
  ["an array", "[]"],
  ["a number", "42"],
  ["a string", '"card"'],
];

interface Case {
  name: string;
  method: string;
  path: () => string;
  body?: string | undefined;
  headers?: () => Record<string, string>;
  field?: string | undefined;
  status?: number;
}

const organiser = () => ({ "x-organiser-secret": card.organiserSecret });
const signer = () => ({ "x-signature-secret": signature.secret });

function bodyCases(
  route: string,
  method: string,
  path: () => string,
  valid: Record<string, unknown>,
  fields: Record<string, [string, unknown][]>,
  headers?: () => Record<string, string>,
): Case[] {
  const cases: Case[] = wholeBodies.map(([what, body]) => ({
    name: `${route}: ${what}`,
    method,
    path,
    body,
    ...(headers ? { headers } : {}),
    field: undefined,
  }));
  cases.push({
    name: `${route}: an unknown field`,
    method,
    path,
    body: JSON.stringify({ ...valid, sneaky: 1 }),
    ...(headers ? { headers } : {}),
    field: "sneaky",
  });
  for (const [field, values] of Object.entries(fields))
    for (const [what, value] of values)
      cases.push({
        name: `${route}: ${field} as ${what}`,
        method,
        path,
        body: JSON.stringify({ ...valid, [field]: value }),
        ...(headers ? { headers } : {}),
        field,
      });
  return cases;
}

function matrix(): Case[] {
  const cardPath = () => `/api/cards/${card.card.id}`;
  const signPath = () => signPathOf(card);
  const ownPath = () => `${signPath()}/signatures/${signature.signature.id}`;
  const signed = { name: "Ben", message: "Hi", colour: "ink", font: "classic" };
  const cases: Case[] = [
    ...bodyCases("create", "POST", () => "/api/cards", cardBody(), cardFields),
    ...bodyCases("update", "PATCH", cardPath, cardBody(), cardFields, organiser),
    ...bodyCases("sign", "POST", () => `${signPath()}/signatures`, signed, signatureFields),
    ...bodyCases("edit signature", "PUT", ownPath, signed, signatureFields, signer),
    { name: "update: nothing to change", method: "PATCH", path: cardPath, body: "{}", headers: organiser },
    {
      name: "update: a time without its zone",
      method: "PATCH",
      path: cardPath,
      body: JSON.stringify({ deliverAt: "2027-04-01T09:00" }),
      headers: organiser,
      field: "deliverAt",
    },
  ];
  // Unknown and malformed ids, on every route that takes one.
  const unknownCard = "AAAAAAAAAAAAAAAAAAAAAA";
  const idRoutes: [string, (id: string) => string, string | undefined][] = [
    ["GET", (id) => `/api/cards/${id}`, undefined],
    ["GET", (id) => `/api/cards/${id}/organiser`, undefined],
    ["POST", (id) => `/api/cards/${id}/opened`, undefined],
    ["PATCH", (id) => `/api/cards/${id}`, JSON.stringify({ title: "Hi" })],
    ["POST", (id) => `/api/cards/${id}/lock`, undefined],
    ["POST", (id) => `/api/cards/${id}/cancel`, undefined],
    ["DELETE", (id) => `/api/cards/${id}`, undefined],
    ["DELETE", (id) => `/api/cards/${id}/signatures/1`, undefined],
  ];
  for (const [method, path, body] of idRoutes)
    for (const id of [unknownCard, "short", "x".repeat(200), "%E2%80%AE%3Cscript%3E"])
      cases.push({
        name: `${method} ${path(":cardId")} with cardId ${id.slice(0, 24)}`,
        method,
        path: () => path(id),
        body,
        headers: organiser,
        field: "cardId",
        status: 404,
      });
  for (const [method, path, body] of [
    ["GET", (id: string) => `/api/sign/${id}`, undefined],
    ["POST", (id: string) => `/api/sign/${id}/signatures`, JSON.stringify(signed)],
    ["GET", (id: string) => `/api/sign/${id}/signatures/${signature.signature.id}`, undefined],
    ["PUT", (id: string) => `/api/sign/${id}/signatures/${signature.signature.id}`, JSON.stringify(signed)],
    ["DELETE", (id: string) => `/api/sign/${id}/signatures/${signature.signature.id}`, undefined],
  ] as const)
    for (const id of [unknownCard, "short", "x".repeat(200), "%E2%80%AE%3Cscript%3E"])
      cases.push({
        name: `${method} ${path(":signId")} with signId ${id.slice(0, 24)}`,
        method,
        path: () => path(id),
        body,
        headers: signer,
        // A well-formed but unknown sign id finds no such signature under it.
        field: path(id).includes("/signatures/") && id === unknownCard ? "signatureId" : "signId",
        status: 404,
      });
  for (const signatureId of ["999999", "0", "-1", "1e3", "99999999999999999999", "abc", "%3Cscript%3E"]) {
    for (const method of ["GET", "PUT", "DELETE"])
      cases.push({
        name: `${method} signature ${signatureId}`,
        method,
        path: () => `${signPath()}/signatures/${signatureId}`,
        body: method === "PUT" ? JSON.stringify(signed) : undefined,
        headers: signer,
        field: "signatureId",
        status: 404,
      });
    cases.push({
      name: `organiser removes signature ${signatureId}`,
      method: "DELETE",
      path: () => `${cardPath()}/signatures/${signatureId}`,
      headers: organiser,
      field: "signatureId",
      status: 404,
    });
  }
  // Missing and wrong secrets.
  const organiserRoutes: [string, () => string, string | undefined][] = [
    ["GET", () => `${cardPath()}/organiser`, undefined],
    ["PATCH", cardPath, JSON.stringify({ title: "Hijacked" })],
    ["POST", () => `${cardPath()}/lock`, undefined],
    ["POST", () => `${cardPath()}/cancel`, undefined],
    ["DELETE", cardPath, undefined],
    ["DELETE", () => `${cardPath()}/signatures/${signature.signature.id}`, undefined],
  ];
  for (const [method, path, body] of organiserRoutes) {
    cases.push({
      name: `${method} ${path()} without a secret`,
      method,
      path,
      body,
      field: "x-organiser-secret",
      status: 401,
    });
    for (const secret of ["wrong", () => closedCard.organiserSecret, () => signature.secret])
      cases.push({
        name: `${method} ${path()} with a wrong secret`,
        method,
        path,
        body,
        headers: () => ({ "x-organiser-secret": typeof secret === "string" ? secret : secret() }),
        field: "x-organiser-secret",
        status: 403,
      });
  }
  cases.push({
    name: "preview before delivery with a wrong secret",
    method: "GET",
    path: cardPath,
    headers: () => ({ "x-organiser-secret": closedCard.organiserSecret }),
    field: "x-organiser-secret",
    status: 403,
  });
  for (const method of ["GET", "PUT", "DELETE"]) {
    const body = method === "PUT" ? JSON.stringify(signed) : undefined;
    cases.push({
      name: `${method} own signature without a secret`,
      method,
      path: ownPath,
      body,
      field: "x-signature-secret",
      status: 401,
    });
    for (const [what, secret] of [
      ["the organiser's secret", () => card.organiserSecret],
      ["a wrong secret", () => "wrong"],
      ["an oversize secret", () => "x".repeat(8_000)],
      ["an empty secret", () => ""],
    ] as const)
      cases.push({
        name: `${method} own signature with ${what}`,
        method,
        path: ownPath,
        body,
        headers: () => ({ "x-signature-secret": secret() }),
        field: "x-signature-secret",
        status: what === "an empty secret" ? 401 : 403,
      });
  }
  // A cancelled card takes no signature and no change.
  cases.push({
    name: "sign a cancelled card",
    method: "POST",
    path: () => `${signPathOf(closedCard)}/signatures`,
    body: JSON.stringify(signed),
    status: 409,
  });
  cases.push({
    name: "update a cancelled card",
    method: "PATCH",
    path: () => `/api/cards/${closedCard.card.id}`,
    body: JSON.stringify({ title: "Again" }),
    headers: () => ({ "x-organiser-secret": closedCard.organiserSecret }),
    status: 409,
  });
  cases.push({
    name: "open a card not delivered",
    method: "POST",
    path: () => `${cardPath()}/opened`,
    status: 409,
  });
  return cases;
}

describe("bad input on every cards route", () => {
  it("gets a 4xx naming the field, never a 5xx, and writes nothing", { timeout: 120_000 }, async () => {
    const before = await snapshot();
    const cases = matrix();
    expect(cases.length).toBeGreaterThan(300);
    const failures: string[] = [];
    for (const test of cases) {
      const answer = await send(test.method, test.path(), test.body, test.headers?.() ?? {});
      const error = answer.json.error;
      const expectedStatus = test.status ?? 400;
      if (answer.status !== expectedStatus || !error || error.field !== test.field || !error.message)
        failures.push(`${test.name}: ${answer.status} ${JSON.stringify(answer.json)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(logged).toEqual([]);
  });
});
