// A real HTTP origin for edge tests: answers chosen per path, every request recorded as it arrived.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface OriginAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  /** The request target exactly as it arrived (raw path and query). */
  url: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  body: Buffer;
}

export class TestOrigin {
  readonly seen: SeenRequest[] = [];
  answers = new Map<string, (request: IncomingMessage) => OriginAnswer>();
  readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        body: Buffer.concat(chunks),
      });
      const path = (request.url ?? "").split("?")[0] ?? "";
      const answer = this.answers.get(path)?.(request) ?? { status: 404, body: "no such test object" };
      setTimeout(() => {
        response.writeHead(answer.status ?? 200, { "content-type": "text/plain", ...answer.headers });
        response.end(answer.body ?? "");
      }, answer.delayMs ?? 0);
    });
  });
  url = "";

  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  hits(path: string): number {
    return this.seen.filter((entry) => entry.url.split("?")[0] === path).length;
  }
}
