// The API Lambda bundle with the sign page baked in (esbuild define, as the deploy bundles it) serves
// /s/<signId>; an id of the wrong shape gets the page as a 404 without a database call.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApiLambda } from "../../infra/build/api-lambda.ts";
import type { FunctionUrlHandler } from "../../origin/aws/function-url-event.ts";

const shell = "<html><head><title>Sign the card · GoodGreets</title></head><body>sign</body></html>";
let folder: string;
let handler: FunctionUrlHandler;
const variables = {
  DATABASE_RESOURCE_ARN: "arn:aws:rds:us-east-1:000000000000:cluster:shell-test",
  DATABASE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:shell-test",
  DATABASE_NAME: "goodgreets",
  GOODGREETS_VERSION: "1.2.3-shell",
  GOODGREETS_SITE_URL: "https://goodgreets.test",
  SCHEDULE_GROUP_NAME: "goodgreets-cards",
  DELIVERY_FUNCTION_ARN: "arn:aws:lambda:us-east-1:000000000000:function:goodgreets-delivery",
  SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/goodgreets-scheduler",
  DELIVERY_DEAD_LETTER_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:goodgreets-delivery-dlq",
  CLOUDFRONT_DISTRIBUTION_ID: "E2SHELLTEST001",
};

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "goodgreets-shell-bundle-"));
  await buildApiLambda({ outfile: join(folder, "index.mjs"), signShell: shell });
  Object.assign(process.env, variables);
  ({ handler } = (await import(join(folder, "index.mjs"))) as { handler: FunctionUrlHandler });
}, 60_000);

afterAll(async () => {
  for (const name of Object.keys(variables)) delete process.env[name];
  await rm(folder, { recursive: true, force: true });
});

describe("the API bundle with the sign page baked in", () => {
  it("answers a sign link with the page", async () => {
    const rawPath = "/s/not-an-id";
    const result = await handler(
      {
        version: "2.0",
        routeKey: "$default",
        rawPath,
        rawQueryString: "",
        headers: { host: "abc.lambda-url.us-east-1.on.aws" },
        requestContext: {
          accountId: "anonymous",
          apiId: "abc",
          domainName: "abc.lambda-url.us-east-1.on.aws",
          domainPrefix: "abc",
          http: {
            method: "GET",
            path: rawPath,
            protocol: "HTTP/1.1",
            sourceIp: "192.0.2.1",
            userAgent: "test",
          },
          requestId: "r1",
          routeKey: "$default",
          stage: "$default",
          time: "29/Nov/2026:12:00:00 +0000",
          timeEpoch: 0,
        },
        isBase64Encoded: false,
      },
      { awsRequestId: "r1" },
    );
    expect(result.statusCode).toBe(404);
    expect(result.headers?.["content-type"]).toMatch(/^text\/html/);
    expect(result.body).toBe(shell);
  });
});
