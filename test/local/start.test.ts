// `npm start` as a user runs it (without the astro build): it prints where everything is, writes
// data/local.env for the SDKs, and the first Ctrl-C stops it cleanly, while a statement runs or while it is
// still starting, releasing every port and leaving no process behind.
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

interface Launched {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  /** Resolves once the output contains `text`; rejects if the process exits first. */
  printed: (text: string) => Promise<void>;
  exited: () => Promise<number | null>;
}

const launched: Launched[] = [];

async function launch(): Promise<Launched> {
  const dataDir = await mkdtemp(join(tmpdir(), "goodgreets-start-"));
  // PostgreSQL runs as its own user when the tests run as root: it must be able to pass through.
  await chmod(dataDir, 0o711);
  const child = spawn(process.execPath, ["infra/local/start.ts"], {
    env: {
      ...process.env,
      GOODGREETS_DATA_DIR: dataDir,
      GOODGREETS_SITE_DIR: inject("siteFolder"),
      // Every service on a free port.
      GOODGREETS_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, as in a terminal: Ctrl-C reaches the stack and every process it started.
    detached: true,
  });
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const process_: Launched = {
    child,
    dataDir,
    output: () => output,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) resolve();
        };
        listeners.add(check);
        check();
        exit.then(() => reject(new Error(`npm start exited before printing "${text}":\n${output}`)));
      }),
    exited: () => exit,
  };
  launched.push(process_);
  return process_;
}

/** What a terminal's Ctrl-C does: SIGINT to the whole foreground process group. */
const pressCtrlC = (target: Launched) => process.kill(-(target.child.pid ?? 0), "SIGINT");

/** Whether any process of the group is left (signal 0 only checks). */
function groupAlive(target: Launched): boolean {
  try {
    process.kill(-(target.child.pid ?? 0), 0);
    return true;
  } catch {
    return false;
  }
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

function parseEnv(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1]) variables[match[1]] = match[2] ?? "";
  }
  return variables;
}

let running: Launched;

beforeAll(async () => {
  running = await launch();
  await running.printed("Press Ctrl-C to stop.");
}, 180_000);

afterAll(async () => {
  for (const target of launched) {
    if (groupAlive(target)) process.kill(-(target.child.pid ?? 0), "SIGKILL");
    await rm(target.dataDir, { recursive: true, force: true });
  }
});

describe("npm start", () => {
  it("prints where everything is and writes local.env with the standard SDK settings", async () => {
    for (const label of ["Site (through the local CloudFront)", "S3 stand-in", "RDS Data API stand-in"])
      expect(running.output()).toContain(label);
    const env = parseEnv(await readFile(join(running.dataDir, "local.env"), "utf8"));
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
    const s3 = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      region: env.AWS_REGION ?? "",
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
      },
    });
    const buckets = await s3.send(new ListBucketsCommand({}));
    s3.destroy();
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toEqual(
      expect.arrayContaining([env.GOODGREETS_SITE_BUCKET, env.GOODGREETS_IMAGES_BUCKET]),
    );
    expect((await fetch(`${env.GOODGREETS_SITE_URL}/`)).status).toBe(200);
  });

  it("stops on the first Ctrl-C while a statement is running, frees every port, leaves no process", async () => {
    const env = parseEnv(await readFile(join(running.dataDir, "local.env"), "utf8"));
    const ports = new Set(
      [...running.output().matchAll(/http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((match) =>
        Number(match[1]),
      ),
    );
    expect(ports.size).toBeGreaterThanOrEqual(4);
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
    pressCtrlC(running);
    expect(await running.exited(), running.output()).toBe(0);
    expect(running.output()).not.toContain("exiting anyway");
    expect(await sleeping).toBe("cut off");
    client.destroy();
    for (const port of ports) expect(await canListen(port), `port ${port}`).toBe(true);
    expect(groupAlive(running)).toBe(false);
  }, 60_000);

  it("stops on a Ctrl-C that comes while the database is still starting", async () => {
    const early = await launch();
    await early.printed("starting the Data API stand-in");
    pressCtrlC(early);
    expect(await early.exited(), early.output()).toBe(0);
    expect(early.output()).not.toContain("exiting anyway");
    expect(early.output()).not.toContain("Ready.");
    expect(groupAlive(early)).toBe(false);
  }, 120_000);
});
