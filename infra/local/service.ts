// The one shape every local stand-in returns when started, and the one way they bind and release a port.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RunningService {
  /** Base URL on loopback, e.g. http://127.0.0.1:9000 (no trailing slash). */
  readonly url: string;
  /** Stops accepting connections, ends open ones and releases files; safe to call twice. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/**
 * Binds `server` and returns its URL and an idempotent close that ends open connections first, then
 * runs `release` (files, child processes) once the port is free.
 */
export async function listen(
  server: Server,
  options: ListenOptions,
  release: () => Promise<void> = async () => {},
): Promise<RunningService> {
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await release();
      })();
      return closing;
    },
  };
}
