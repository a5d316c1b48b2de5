// nginx as the bench's yardstick: installs Debian's nginx-light when missing, and runs it in the foreground
// on a loopback port from a generated minimal config in a temporary folder, serving the built site and the
// catalog art at the paths the edge serves them (/ and /img/catalog/).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

export interface NginxSite {
  siteFolder: string;
  artFolder: string;
  port: number;
  /** The temporary folder holding the config, the pid file, the logs and nginx's temp paths. */
  runFolder: string;
}

export interface RunningNginx {
  readonly url: string;
  readonly version: string;
  close(): Promise<void>;
}

const quoted = (path: string) => {
  // A path is written into the config as one quoted token; refuse what would end or escape it.
  if (/["\\$;{}\n]/.test(path)) throw new Error(`nginx config cannot name the path ${path}`);
  return `"${path}"`;
};

/**
 * The whole config: one worker (the local edge is one Node process too), no daemon, everything it writes
 * kept in the run folder. Content types as the site publisher sets them on the S3 objects.
 */
export function nginxConfig(site: NginxSite): string {
  const run = (name: string) => quoted(join(site.runFolder, name));
  // Started as root, nginx would run its worker as nobody, who cannot read the private temporary folders
  // the site may be built in; the worker reads what the bench can read.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  return `${user}daemon off;
master_process on;
worker_processes 1;
pid ${run("nginx.pid")};
error_log ${run("error.log")} warn;
events { worker_connections 4096; }
http {
  access_log ${run("access.log")};
  client_body_temp_path ${run("client-body")};
  proxy_temp_path ${run("proxy")};
  fastcgi_temp_path ${run("fastcgi")};
  uwsgi_temp_path ${run("uwsgi")};
  scgi_temp_path ${run("scgi")};
  types {
    text/html html;
    text/css css;
    text/javascript js mjs;
    application/json json;
    image/svg+xml svg;
    image/png png;
    image/webp webp;
    image/x-icon ico;
    text/plain txt;
    font/woff2 woff2;
  }
  default_type application/octet-stream;
  charset utf-8;
  sendfile on;
  keepalive_timeout 5s;
  server {
    listen 127.0.0.1:${site.port};
    root ${quoted(site.siteFolder)};
    location /img/catalog/ { alias ${quoted(`${site.artFolder}/`)}; }
  }
}
`;
}

function whichNginx(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).stdout.trim();
  if (found) return found;
  return ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((path) => existsSync(path));
}

/** Runs one command, passing its output on line by line; bounded by timeoutMs. */
async function runWithProgress(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<void> {
  const child = spawn(command, args, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (line) => progress(`    ${line}`));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${code ?? child.signalCode})`);
}

/** The nginx binary; installs Debian's nginx-light when there is none (needs root, as apt-get does). */
export async function ensureNginx(progress: (line: string) => void): Promise<string> {
  const present = whichNginx();
  if (present) return present;
  if (process.getuid?.() !== 0)
    throw new Error("nginx is missing; install it with `sudo apt-get install -y nginx-light`");
  progress("nginx is missing: installing Debian's nginx-light (apt-get update, then install)");
  await runWithProgress("apt-get", ["update"], 300_000, progress);
  await runWithProgress("apt-get", ["install", "-y", "nginx-light"], 300_000, progress);
  const installed = whichNginx();
  if (!installed) throw new Error("nginx-light was installed but no nginx binary is on the PATH");
  return installed;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no loopback port was assigned");
  return address.port;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** Starts nginx in the foreground; resolves once it answers `/` on its port. */
export async function startNginx(
  binary: string,
  folders: { siteFolder: string; artFolder: string },
): Promise<RunningNginx> {
  const version = spawnSync(binary, ["-v"], { encoding: "utf8" })
    .stderr.trim()
    .replace(/^nginx version: /, "");
  const runFolder = await mkdtemp(join(tmpdir(), "goodgreets-nginx-"));
  const port = await freePort();
  const config = join(runFolder, "nginx.conf");
  await writeFile(config, nginxConfig({ ...folders, port, runFolder }));
  // -e: the startup error log, before the config names its own (nginx 1.19.5 and later).
  const child = spawn(binary, ["-p", runFolder, "-c", config, "-e", join(runFolder, "error.log")], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGQUIT"); // graceful: finish open requests, then exit
      const stopped = await Promise.race([exited(child).then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) child.kill("SIGKILL");
      await exited(child);
    }
    await rm(runFolder, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const answered = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => undefined, // not listening yet
    );
    if (answered === 200) return { url, version, close };
    if (answered !== undefined) {
      await close();
      throw new Error(`nginx answered / with ${answered}; is ${folders.siteFolder} a built site?`);
    }
    await sleep(100);
  }
  let log: string;
  try {
    log = await readFile(join(runFolder, "error.log"), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "(nginx wrote no error log)";
      throw error;
    });
  } finally {
    await close();
  }
  throw new Error(`nginx did not start:\n${log}`);
}
