// The AWS CLI and boto3 run against a stand-in as a shell that sourced data/local.env runs them: the standard
// SDK settings and nothing from this machine's own AWS configuration.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { localCredentials, localRegion } from "../../infra/local/config.ts";

const run = promisify(execFile);

/** `home` stands in for the user's home (no config or credentials files in it); `endpoints` as AWS_ENDPOINT_URL_*. */
export function toolEnvironment(home: string, endpoints: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    ...endpoints,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_CONFIG_FILE: join(home, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Runs a client found on PATH; a missing one fails the test with a clear message rather than skipping. */
export async function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  maxBuffer?: number,
): Promise<string> {
  try {
    const { stdout } = await run(command, args, { env, ...(maxBuffer ? { maxBuffer } : {}) });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`${command} is not on PATH (${process.env.PATH}); install it to run this test`);
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${stderr ?? String(error)}`);
  }
}
