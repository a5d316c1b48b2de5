// Data API transactions: each holds a connection of its own from BeginTransaction to Commit or Rollback, runs
// one call at a time, and is rolled back after three minutes without a call.
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.troubleshooting.html
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { DataApiError } from "./errors.ts";

interface Transaction {
  id: string;
  client: pg.PoolClient;
  busy: boolean;
  timer?: NodeJS.Timeout;
  onError: () => void;
  released?: true;
}

/** How many ended transaction ids are remembered, to say why a later call cannot find one. */
const rememberedEnds = 1_000;

export class Transactions {
  readonly #pool: pg.Pool;
  readonly #idleTimeoutMs: number;
  readonly #open = new Map<string, Transaction>();
  readonly #ended = new Map<string, string>();

  constructor(pool: pg.Pool, idleTimeoutMs: number) {
    this.#pool = pool;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  async begin(): Promise<string> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
    } catch (error) {
      client.release(true);
      throw error;
    }
    const transaction: Transaction = {
      id: randomBytes(48).toString("base64"),
      client,
      busy: false,
      // The connection broke (the server stopped): the transaction is over.
      onError: () => {
        this.#forget(transaction, "Transaction has been aborted due to an error.");
        this.#release(transaction, true);
      },
    };
    client.on("error", transaction.onError);
    this.#open.set(transaction.id, transaction);
    this.#arm(transaction);
    return transaction.id;
  }

  /**
   * Runs one call inside the transaction. A second call while one is running is refused at once, as Aurora
   * Serverless v2 and provisioned clusters do ("Transaction is still running a query").
   */
  async run<T>(id: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const transaction = this.#find(id);
    if (transaction.busy)
      throw new DataApiError("DatabaseErrorException", "Transaction is still running a query");
    transaction.busy = true;
    clearTimeout(transaction.timer);
    try {
      return await work(transaction.client);
    } finally {
      transaction.busy = false;
      if (this.#open.has(id)) this.#arm(transaction);
    }
  }

  async end(id: string, command: "COMMIT" | "ROLLBACK"): Promise<void> {
    const transaction = this.#find(id);
    if (transaction.busy)
      throw new DataApiError("DatabaseErrorException", "Transaction is still running a query");
    this.#forget(transaction, "One previous call resulted in a termination of your transaction.");
    try {
      await transaction.client.query(command);
      this.#release(transaction);
    } catch (error) {
      this.#release(transaction, true);
      throw error;
    }
  }

  /** Drops every open transaction's connection; the server rolls them back. */
  closeAll(): void {
    for (const transaction of [...this.#open.values()]) {
      this.#forget(transaction, "The Data API stand-in stopped.");
      this.#release(transaction, true);
    }
  }

  #find(id: string): Transaction {
    const transaction = this.#open.get(id);
    if (transaction) return transaction;
    const reason = this.#ended.get(id) ?? "Transaction may be expired.";
    throw new DataApiError("TransactionNotFoundException", `Transaction ${id} is not found: ${reason}`);
  }

  #arm(transaction: Transaction): void {
    clearTimeout(transaction.timer);
    transaction.timer = setTimeout(() => {
      this.#forget(transaction, "Transaction may be expired.");
      transaction.client.query("ROLLBACK").then(
        () => this.#release(transaction),
        () => this.#release(transaction, true),
      );
    }, this.#idleTimeoutMs);
    transaction.timer.unref();
  }

  /** Gives the connection back to the pool, or closes it when it may be unusable. */
  #release(transaction: Transaction, destroy = false): void {
    if (transaction.released) return;
    transaction.released = true;
    transaction.client.off("error", transaction.onError);
    transaction.client.release(destroy);
  }

  #forget(transaction: Transaction, reason: string): void {
    clearTimeout(transaction.timer);
    if (!this.#open.delete(transaction.id)) return;
    this.#ended.set(transaction.id, reason);
    if (this.#ended.size > rememberedEnds) {
      const [oldest] = this.#ended.keys();
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
  }
}
