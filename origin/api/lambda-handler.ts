// The API Lambda's entry point in AWS: configuration read from the environment once per execution
// environment, then every function URL invocation goes to the handler built from it.
import { createDatabase } from "../db/data-api.ts";
import { createApiHandler } from "./handler.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const handler = createApiHandler({
  database: createDatabase({
    resourceArn: required("DATABASE_RESOURCE_ARN"),
    secretArn: required("DATABASE_SECRET_ARN"),
    database: required("DATABASE_NAME"),
  }),
  // Set by the deploy from package.json: a bundle has no package.json to read.
  version: required("GOODGREETS_VERSION"),
});
