// Unfinished uploads through the S3 stand-in, run in its own process so its memory can be measured: many
// concurrent slow bodies stream to disk instead of piling up in memory, and a body cut short stores nothing.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { startS3StandIn } from "../../infra/local/s3/server.ts";

const bucket = "goodgreets-test-slow";
const mib = 1024 * 1024;
let root: string;
let child: ChildProcess;
let url: URL;

/** The stand-in in a child process that answers "memory" with its resident set size. */
const childScript = (dataDir: string) => `
import { startS3StandIn } from ${JSON.stringify(join(import.meta.dirname, "../../infra/local/s3/server.ts"))};
const service = await startS3StandIn({ dataDir: ${JSON.stringify(dataDir)}, buckets: [${JSON.stringify(bucket)}] });
process.send({ url: service.url });
process.on("message", async (message) => {
  if (message === "memory") {
    globalThis.gc?.();
    process.send({ rss: process.memoryUsage().rss });
  }
  if (message === "close") {
    await service.close();
    process.disconnect();
  }
});
`;

function ask<T>(message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (answer) => resolve(answer as T));
    child.send(message);
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "s3-uploads-test-"));
  child = spawn(
    process.execPath,
    ["--expose-gc", "--input-type=module", "-e", childScript(join(root, "data"))],
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const started = await new Promise<{ url: string }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { url: string }));
    child.once("exit", (code) => reject(new Error(`the stand-in process exited with ${code}`)));
  });
  url = new URL(started.url);
});

afterAll(async () => {
  if (child?.connected) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.send("close");
    await exited;
  }
  await rm(root, { recursive: true, force: true });
});

/** Opens a connection and sends a signed request head declaring `declared` body bytes, then `sent` of them. */
async function startUpload(
  key: string,
  declared: number,
  sent: number,
  target: URL = url,
  method = "PUT",
  query = "",
): Promise<Socket> {
  const signer = new SignatureV4({
    service: "s3",
    region: localRegion,
    credentials: localCredentials,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const path = `/${bucket}/${key}`;
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path,
    query: Object.fromEntries(new URLSearchParams(query)),
    headers: {
      host: target.host,
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      "content-length": String(declared),
      // DeleteObjects wants a digest before it reads its body; the value is never reached here.
      ...(method === "POST" ? { "content-md5": "1B2M2Y8AsgTpgAmY2PvfAw==" } : {}),
    },
  });
  const requestLine = `${method} ${path}${query ? `?${query}` : ""} HTTP/1.1`;
  const head = [requestLine, ...Object.entries(signed.headers).map(([n, v]) => `${n}: ${v}`), "", ""];
  const socket = connect(Number(target.port), target.hostname);
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(head.join("\r\n"));
  for (let written = 0; written < sent; written += 256 * 1024) {
    const piece = Buffer.alloc(Math.min(256 * 1024, sent - written), 7);
    if (!socket.write(piece)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  return socket;
}

async function objectFiles(): Promise<{ count: number; bytes: number }> {
  const folder = join(root, "data", "buckets", bucket, "objects");
  const files = await readdir(folder);
  let bytes = 0;
  for (const file of files) {
    // A body may be removed between the listing and the stat: it counts as gone.
    bytes += (
      await stat(join(folder, file)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return { size: 0 };
        throw error;
      })
    ).size;
  }
  return { count: files.length, bytes };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe("unfinished uploads", () => {
  it("100 concurrent 20 MB uploads stalled after 4 MB each stream to disk, and leave nothing when cut", {
    timeout: 180_000,
  }, async () => {
    const before = (await ask<{ rss: number }>("memory")).rss;
    const sockets: Socket[] = [];
    for (let index = 0; index < 100; index += 1)
      sockets.push(await startUpload(`slow/${index}`, 20 * mib, 4 * mib));
    // The stand-in has taken in (nearly) everything sent: the bytes are on disk, not waiting in socket buffers.
    await until(
      async () => (await objectFiles()).bytes >= 100 * 3.5 * mib,
      "the sent bytes reached the disk",
    );
    const during = (await ask<{ rss: number }>("memory")).rss;
    console.log(
      `stand-in RSS: ${Math.round(before / mib)} MiB before, ${Math.round(during / mib)} MiB with 100 uploads open`,
    );
    // Holding the bodies in memory would cost 400 MB here (and 2 GB once complete); streaming costs buffers only.
    expect((during - before) / mib).toBeLessThan(150);
    for (const socket of sockets) socket.destroy();
    await until(async () => (await objectFiles()).count === 0, "the partial bodies were removed");
    const listing = await new Promise<string>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      socket
        .on("data", (chunk) => chunks.push(chunk))
        .on("end", () => resolve(Buffer.concat(chunks).toString()));
      socket.end(`GET /${bucket}/slow/0 HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n\r\n`);
    });
    // Unsigned, so 403; what matters is that no object was committed, which the empty folder shows.
    expect(listing.startsWith("HTTP/1.1 403")).toBe(true);
  });

  it("answers 503 SlowDown once in-memory request bodies would pass the stand-in's budget", async () => {
    const small = await startS3StandIn({ buckets: [bucket], bufferBytes: 64 * 1024 });
    const target = new URL(small.url);
    try {
      // Each multi-delete declares 40 KiB and sends none of it: the first holds its reservation.
      const first = await startUpload("", 40 * 1024, 0, target, "POST", "delete=");
      // The second sends its whole body, and is answered without it being held.
      const second = await startUpload("", 40 * 1024, 40 * 1024, target, "POST", "delete=");
      const answer = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        second.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (Buffer.concat(chunks).includes("</Error>")) resolve(Buffer.concat(chunks).toString());
        });
      });
      expect(answer).toMatch(/^HTTP\/1.1 503/);
      expect(answer).toContain("<Code>SlowDown</Code>");
      first.destroy();
      second.destroy();
    } finally {
      await small.close();
    }
  });
});
