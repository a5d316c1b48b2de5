// The API Lambda as it will be deployed: one esbuild bundle of origin/api/lambda-handler.ts, run from a
// folder with no package.json, configured by its environment alone.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApiLambda } from "../../infra/build/api-lambda.ts";
import type { FunctionUrlHandler } from "../../origin/aws/function-url-event.ts";

let folder: string;
let handler: FunctionUrlHandler;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "goodgreets-api-bundle-"));
  await buildApiLambda({ outfile: join(folder, "index.mjs") });
  Object.assign(process.env, {
    DATABASE_RESOURCE_ARN: "arn:aws:rds:us-east-1:000000000000:cluster:bundle-test",
    DATABASE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:bundle-test",
    DATABASE_NAME: "goodgreets",
    GOODGREETS_VERSION: "1.2.3-bundle",
    SCHEDULE_GROUP_NAME: "goodgreets-cards",
    DELIVERY_FUNCTION_ARN: "arn:aws:lambda:us-east-1:000000000000:function:goodgreets-delivery",
    SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/goodgreets-scheduler",
    DELIVERY_DEAD_LETTER_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:goodgreets-delivery-dlq",
    CLOUDFRONT_DISTRIBUTION_ID: "E2BUNDLETEST01",
    GOODGREETS_IMAGES_BUCKET: "goodgreets-images-bundle-test",
  });
  ({ handler } = (await import(join(folder, "index.mjs"))) as { handler: FunctionUrlHandler });
}, 60_000);

afterAll(async () => {
  for (const name of [
    "DATABASE_RESOURCE_ARN",
    "DATABASE_SECRET_ARN",
    "DATABASE_NAME",
    "GOODGREETS_VERSION",
    "SCHEDULE_GROUP_NAME",
    "DELIVERY_FUNCTION_ARN",
    "SCHEDULER_ROLE_ARN",
    "DELIVERY_DEAD_LETTER_QUEUE_ARN",
    "CLOUDFRONT_DISTRIBUTION_ID",
    "GOODGREETS_IMAGES_BUCKET",
  ])
    delete process.env[name];
  await rm(folder, { recursive: true, force: true });
});

const event = (rawPath: string) => ({
  version: "2.0" as const,
  routeKey: "$default" as const,
  rawPath,
  rawQueryString: "",
  headers: { host: "abc.lambda-url.us-east-1.on.aws" },
  requestContext: {
    accountId: "anonymous",
    apiId: "abc",
    domainName: "abc.lambda-url.us-east-1.on.aws",
    domainPrefix: "abc",
    http: { method: "GET", path: rawPath, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
    requestId: "r1",
    routeKey: "$default" as const,
    stage: "$default" as const,
    time: "29/Nov/2026:12:00:00 +0000",
    timeEpoch: 0,
  },
  isBase64Encoded: false,
});

describe("the API Lambda bundle", () => {
  it("is one file that answers from its environment alone", async () => {
    expect(await readdir(folder)).toEqual(["index.mjs"]);
    const result = await handler(event("/api/nothing"), { awsRequestId: "r1" });
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? "")).toEqual({
      error: { code: "not_found", message: "There is no /api/nothing." },
    });
    const badPath = await handler(event("/api/%ff"), { awsRequestId: "r2" });
    expect(badPath.statusCode).toBe(400);
  });

  it("has the upload routes, on the images bucket its environment names", async () => {
    const check = event("/api/uploads/short/check");
    check.requestContext.http.method = "POST";
    const result = await handler(check, { awsRequestId: "r3" });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? "").error.code).toBe("invalid_upload_id");
  });
});
