// The API Lambda bundle as the deploy builds it, loaded from a folder with no package.json and given the
// environment the CDK app will set: what the bundle tests share.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApiLambda } from "../../infra/build/api-lambda.ts";
import type { FunctionUrlEvent, FunctionUrlHandler } from "../../origin/aws/function-url-event.ts";

/** Every variable origin/api/lambda-handler.ts requires, with values of the right shape. */
export const apiLambdaEnvironment = {
  DATABASE_RESOURCE_ARN: "arn:aws:rds:us-east-1:000000000000:cluster:bundle-test",
  DATABASE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:bundle-test",
  DATABASE_NAME: "goodgreets",
  GOODGREETS_VERSION: "1.2.3-bundle",
  GOODGREETS_SITE_URL: "https://goodgreets.test",
  GOODGREETS_IMAGES_BUCKET: "goodgreets-images-bundle-test",
  SCHEDULE_GROUP_NAME: "goodgreets-cards",
  DELIVERY_FUNCTION_ARN: "arn:aws:lambda:us-east-1:000000000000:function:goodgreets-delivery",
  SCHEDULER_ROLE_ARN: "arn:aws:iam::000000000000:role/goodgreets-scheduler",
  DELIVERY_DEAD_LETTER_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:goodgreets-delivery-dlq",
  CLOUDFRONT_DISTRIBUTION_ID: "E2BUNDLETEST01",
};

export interface LoadedBundle {
  folder: string;
  handler: FunctionUrlHandler;
  /** Removes the bundle and the variables it was given. */
  close(): Promise<void>;
}

export async function loadApiBundle(options: { signShell?: string } = {}): Promise<LoadedBundle> {
  const folder = await mkdtemp(join(tmpdir(), "goodgreets-api-bundle-"));
  await buildApiLambda({ outfile: join(folder, "index.mjs"), ...options });
  Object.assign(process.env, apiLambdaEnvironment);
  const { handler } = (await import(join(folder, "index.mjs"))) as { handler: FunctionUrlHandler };
  return {
    folder,
    handler,
    async close() {
      for (const name of Object.keys(apiLambdaEnvironment)) delete process.env[name];
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A function URL event as Lambda sends it, for `method` and `rawPath`. */
export function functionUrlEvent(method: string, rawPath: string): FunctionUrlEvent {
  return {
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
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
      requestId: "r1",
      routeKey: "$default",
      stage: "$default",
      time: "29/Nov/2026:12:00:00 +0000",
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}
