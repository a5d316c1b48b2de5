// The delivery Lambda's entry point in AWS: configuration read from the environment once per execution
// environment; EventBridge Scheduler invokes it with each card schedule's input.
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createDatabase } from "../db/data-api.ts";
import { createDeliveryHandler } from "./handler.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const handler = createDeliveryHandler({
  database: createDatabase({
    resourceArn: required("DATABASE_RESOURCE_ARN"),
    secretArn: required("DATABASE_SECRET_ARN"),
    database: required("DATABASE_NAME"),
  }),
  // One call per attempt: the SDK's own retries would resend after a timeout (see ses-send.ts).
  ses: new SESv2Client({ maxAttempts: 1 }),
  siteUrl: required("GOODGREETS_SITE_URL"),
  from: required("DELIVERY_FROM"),
  configurationSet: required("SES_CONFIGURATION_SET"),
});
