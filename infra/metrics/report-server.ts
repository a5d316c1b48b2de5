// Serves the latest edge metrics report on loopback: the file is read on each request, so a report that
// `npm run metrics` writes while the stack runs is what the next page load shows.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { localDataDir } from "../local/config.ts";

/** Where `npm run metrics` writes the latest report, and what the local stack serves. */
export const latestReportPath = join(localDataDir, "reports", "edge-metrics.html");

export interface ReportServer {
  url: string;
  close(): Promise<void>;
}

export async function startReportServer(options: {
  file: string;
  port: number;
  host?: string;
}): Promise<ReportServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer(async (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("GET or HEAD only\n");
      return;
    }
    if (request.url !== "/") {
      response.writeHead(404, { "content-type": "text/plain" }).end("The report is at /\n");
      return;
    }
    try {
      const html = await readFile(options.file);
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : html);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        response.writeHead(500, { "content-type": "text/plain" }).end(`Could not read ${options.file}\n`);
        console.error("metrics report:", error);
        return;
      }
      response
        .writeHead(404, { "content-type": "text/plain" })
        .end("No edge metrics report yet: run `npm run traffic`, then `npm run metrics`, and reload.\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
