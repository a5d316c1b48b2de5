// `npm start` as a user runs it (without the astro build): it prints where everything is, writes
// data/local.env for the SDKs, and the first Ctrl-C stops it cleanly, a statement still running
// included, releasing every port.
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

let dataDir: string;
let child: ChildProcess;
let output = "";
const exited = () =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "goodgreets-start-"));
  // PostgreSQL runs as its own user when the tests run as root: it must be able to pass through.
  await chmod(dataDir, 0o711);
  child = spawn(process.execPath, ["infra/local/start.ts"], {
    env: {
      ...process.env,
      GOODGREETS_DATA_DIR: dataDir,
      GOODGREETS_SITE_DIR: inject("siteFolder"),
      // Every service on a free port.
      GOODGREETS_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes("Press Ctrl-C to stop.")) resolve();
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) =>
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)),
    );
  });
}, 180_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited();
  }
  await rm(dataDir, { recursive: true, force: true });
});

function parseEnv(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1]) variables[match[1]] = match[2] ?? "";
  }
  return variables;
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

describe("npm start", () => {
  it("prints where everything is and writes local.env with the standard SDK settings", async () => {
    for (const label of ["Site (through the local CloudFront)", "S3 stand-in", "RDS Data API stand-in"])
      expect(output).toContain(label);
    const env = parseEnv(await readFile(join(dataDir, "local.env"), "utf8"));
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL_RDS_DATA",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "GOODGREETS_SITE_BUCKET",
        "GOODGREETS_IMAGES_BUCKET",
        "DATABASE_RESOURCE_ARN",
        "DATABASE_SECRET_ARN",
        "DATABASE_NAME",
      ]),
    );
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
    };
    const s3 = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      region: env.AWS_REGION ?? "",
      credentials,
    });
    const buckets = await s3.send(new ListBucketsCommand({}));
    s3.destroy();
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toEqual(
      expect.arrayContaining([env.GOODGREETS_SITE_BUCKET, env.GOODGREETS_IMAGES_BUCKET]),
    );
    expect((await fetch(`${env.GOODGREETS_SITE_URL}/`)).status).toBe(200);
  });

  it("stops on the first Ctrl-C while a statement is running, and frees every port", async () => {
    const env = parseEnv(await readFile(join(dataDir, "local.env"), "utf8"));
    const ports = [...output.matchAll(/http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((match) =>
      Number(match[1]),
    );
    expect(new Set(ports).size).toBeGreaterThanOrEqual(4);
    const client = new RDSDataClient({
      endpoint: env.AWS_ENDPOINT_URL_RDS_DATA,
      region: env.AWS_REGION ?? "",
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
      },
      maxAttempts: 1,
    });
    const sleeping = client
      .send(
        new ExecuteStatementCommand({
          resourceArn: env.DATABASE_RESOURCE_ARN,
          secretArn: env.DATABASE_SECRET_ARN,
          database: env.DATABASE_NAME,
          sql: "SELECT pg_sleep(40)",
        }),
      )
      .then(
        () => "answered",
        () => "cut off",
      );
    // Let the statement reach the database before the stop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill("SIGINT");
    const code = await exited();
    expect(code, output).toBe(0);
    expect(output).not.toContain("exiting anyway");
    expect(await sleeping).toBe("cut off");
    client.destroy();
    for (const port of new Set(ports)) expect(await canListen(port), `port ${port}`).toBe(true);
  }, 60_000);
});
