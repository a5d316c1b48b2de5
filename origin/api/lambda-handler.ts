// The API Lambda's entry point: configuration read once per execution environment, then every function
// URL invocation goes through the adapter to the app.
import { readFileSync } from "node:fs";
import { handle } from "../aws/function-url-adapter.ts";
import { createDatabase } from "../db/data-api.ts";
import { createApp } from "./app.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const app = createApp({
  database: createDatabase({
    resourceArn: required("DATABASE_RESOURCE_ARN"),
    secretArn: required("DATABASE_SECRET_ARN"),
    database: required("DATABASE_NAME"),
  }),
  version,
});

export const handler = handle({ fetch: (request, env) => app.fetch(request, env) });
