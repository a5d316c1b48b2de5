// The one shape every local stand-in returns when started, so the stack can print and stop them alike.
export interface RunningService {
  /** Base URL on loopback, e.g. http://127.0.0.1:9000 (no trailing slash). */
  readonly url: string;
  /** Stops accepting connections, ends open ones and releases files; safe to call twice. */
  close(): Promise<void>;
}
