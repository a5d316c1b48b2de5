// The execution environment Lambda gives a Lambda@Edge function: its reserved environment variables and
// the names (replica, version, log group and stream) its context reports.
import { randomBytes } from "node:crypto";
import { basename, extname } from "node:path";

// The function's home Region: Lambda@Edge functions live in us-east-1 and their replicas keep the name.
export const homeRegion = "us-east-1";
export const functionVersion = "1";

/**
 * What Lambda sets in a function's environment (Lambda@Edge allows no variables of your own). The keys
 * are Lambda's reserved ones plus LANG and PATH; the execution role's credentials are left out, as the
 * local edge has no role to give, so an AWS SDK call from a handler fails on credentials, not on a fake.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * The replica name and log group carry the "us-east-1." prefix Lambda@Edge gives them:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html
 */
export function lambdaEdgeEnvironment(
  source: { name: string; modulePath: string; exportName?: string; memoryMb?: number },
  logStreamName: string,
): Record<string, string> {
  const module = basename(source.modulePath, extname(source.modulePath));
  return {
    _HANDLER: `${module}.${source.exportName ?? "handler"}`,
    AWS_REGION: homeRegion,
    AWS_DEFAULT_REGION: homeRegion,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: `${homeRegion}.${source.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(source.memoryMb ?? 128),
    AWS_LAMBDA_FUNCTION_VERSION: functionVersion,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${homeRegion}.${source.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
  };
}

/** A log stream is named for the day, the version and the execution environment. */
export function logStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${functionVersion}]${randomBytes(16).toString("hex")}`;
}
