// The Data API stand-in on its PostgreSQL server, through the real RDSDataClient: concurrency as Aurora has
// it (no waiting on idle transactions, real row locks, one call at a time per transaction), the Data API's
// limits and refusals, exact 64-bit integers, and signatures.
import {
  BadRequestException,
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  StatementTimeoutException,
  UnsupportedResultException,
} from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";
import { send, signedPost, targetJson } from "./data-api-wire.ts";

/** Short enough for a test to reach, long enough for the other statements of a test to finish first. */
const statementTimeoutMs = 6_000;
/** Long enough that a statement waiting for an idle transaction to end would plainly stand out. */
const transactionIdleTimeoutMs = 60_000;

let service: RunningService;
let client: RDSDataClient;
// Every call names the local cluster, its secret and its database: localDatabase is exactly that.
const target = localDatabase;
type ExecuteInput = ConstructorParameters<typeof ExecuteStatementCommand>[0];
const execute = (sql: string, extra: Partial<ExecuteInput> = {}) =>
  client.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));
const rows = async (sql: string, extra: Partial<ExecuteInput> = {}) =>
  JSON.parse((await execute(sql, { ...extra, formatRecordsAs: "JSON" })).formattedRecords ?? "[]") as Record<
    string,
    unknown
  >[];
const begin = async () => (await client.send(new BeginTransactionCommand(target))).transactionId as string;

/** Waits until the server shows a statement matching `pattern` in pg_stat_activity (optionally waiting on a lock). */
async function untilRunning(pattern: string, waitingOnLock = false): Promise<void> {
  for (;;) {
    const [row] = await rows(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE :pattern AND query NOT LIKE '%pg_stat_activity%'${waitingOnLock ? " AND wait_event_type = 'Lock'" : ""}`,
      { parameters: [{ name: "pattern", value: { stringValue: pattern } }] },
    );
    if ((row?.n as number) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const cancelRunning = (pattern: string) =>
  execute(
    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE :pattern AND query NOT LIKE '%pg_stat_activity%'",
    { parameters: [{ name: "pattern", value: { stringValue: pattern } }] },
  );

beforeAll(async () => {
  service = await startDataApiStandIn({ statementTimeoutMs, transactionIdleTimeoutMs });
  client = new RDSDataClient(standInClientConfig(service.url));
  await execute("CREATE TABLE deliveries (id int PRIMARY KEY, claimed_by text, big bigint)");
  await execute("INSERT INTO deliveries (id) SELECT generate_series(1, 3)");
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await service?.close();
});

describe("concurrency on a real server", () => {
  it("answers outside a transaction that sits idle, in well under the idle timeout", async () => {
    const transactionId = await begin();
    await execute("UPDATE deliveries SET claimed_by = 'idle' WHERE id = 1", { transactionId });
    const started = performance.now();
    await expect(rows("SELECT count(*)::int AS n FROM deliveries")).resolves.toEqual([{ n: 3 }]);
    const elapsed = performance.now() - started;
    await client.send(new RollbackTransactionCommand({ ...target, transactionId }));
    expect(elapsed).toBeLessThan(transactionIdleTimeoutMs / 10);
  });

  it("makes a statement wait on a row lock the transaction holds, until it commits", async () => {
    const transactionId = await begin();
    await execute("UPDATE deliveries SET claimed_by = 'first' WHERE id = 2", { transactionId });
    let committed = false;
    const blocked = execute("UPDATE deliveries SET claimed_by = 'second' WHERE id = 2").then(() => committed);
    await untilRunning("UPDATE deliveries SET claimed_by = 'second'%", true);
    await client.send(new CommitTransactionCommand({ ...target, transactionId }));
    committed = true;
    expect(await blocked).toBe(true);
  });

  it("gives exactly one of 20 concurrent conditional claims the row", async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        execute("UPDATE deliveries SET claimed_by = :worker WHERE id = 3 AND claimed_by IS NULL", {
          parameters: [{ name: "worker", value: { stringValue: `worker-${index}` } }],
        }),
      ),
    );
    const winners = claims.filter((claim) => claim.numberOfRecordsUpdated === 1);
    expect(winners).toHaveLength(1);
    expect(claims.filter((claim) => claim.numberOfRecordsUpdated === 0)).toHaveLength(19);
  });

  it("answers other statements while one sleeps", async () => {
    let sleeperSettled = false;
    // Settled into a value at once, so its refusal is never an unhandled rejection.
    const sleeper = execute("SELECT pg_sleep(30) AS sleeper").then(
      () => undefined,
      (error: unknown) => error,
    );
    void sleeper.then(() => {
      sleeperSettled = true;
    });
    await untilRunning("SELECT pg_sleep(30) AS sleeper");
    await expect(rows("SELECT 1 AS n")).resolves.toEqual([{ n: 1 }]);
    expect(sleeperSettled).toBe(false);
    await cancelRunning("SELECT pg_sleep(30) AS sleeper");
    expect(String(await sleeper)).toMatch(/canceling statement/);
  });

  it("refuses a second call while a transaction's statement is still running", async () => {
    const transactionId = await begin();
    const running = execute("SELECT pg_sleep(30) AS in_transaction", { transactionId }).catch(
      (error: unknown) => error,
    );
    await untilRunning("SELECT pg_sleep(30) AS in_transaction");
    const second = await execute("SELECT 1", { transactionId }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DatabaseErrorException);
    expect((second as Error).message).toBe("Transaction is still running a query");
    await cancelRunning("SELECT pg_sleep(30) AS in_transaction");
    expect(await running).toBeInstanceOf(DatabaseErrorException);
    await client.send(new RollbackTransactionCommand({ ...target, transactionId }));
  });

  it("cancels a statement over the time limit with StatementTimeoutException", async () => {
    await expect(execute("SELECT pg_sleep(600)")).rejects.toBeInstanceOf(StatementTimeoutException);
    await expect(rows("SELECT 1 AS n")).resolves.toEqual([{ n: 1 }]);
  }, 30_000);
});

describe("what the Data API refuses", () => {
  it("refuses COPY to a program (the master user is no superuser) and keeps answering", async () => {
    await expect(execute("COPY (SELECT 1) TO PROGRAM 'id'")).rejects.toThrow(/permission denied/);
    await expect(execute("COPY deliveries FROM STDIN")).rejects.toBeInstanceOf(DatabaseErrorException);
    await expect(execute("copy (select 1) to stdout")).rejects.toBeInstanceOf(DatabaseErrorException);
    const [row] = await rows("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    expect(row).toEqual({ rolsuper: false });
  });

  it("refuses more than one statement per call", async () => {
    await expect(execute("SELECT 1; SELECT 2")).rejects.toMatchObject({ name: "ValidationException" });
    await expect(rows("SELECT ';' AS s; -- trailing")).resolves.toEqual([{ s: ";" }]);
  });

  it("refuses SQL over 65,536 characters, naming the field", async () => {
    const long = `SELECT 1 /*${"x".repeat(65_536)}*/`;
    const error = await execute(long).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as Error).message).toMatch(/^Invalid sql:/);
  });

  it("refuses a response over 1 MiB, cancelling a huge result while it streams", async () => {
    await expect(execute("SELECT repeat('x', 1100000) AS big")).rejects.toThrow(/response size limit/);
    await expect(
      execute("SELECT repeat('x', 1000) FROM generate_series(1, 10000) a, generate_series(1, 10000) b"),
    ).rejects.toThrow(/response size limit/);
    await expect(rows("SELECT 1 AS n")).resolves.toEqual([{ n: 1 }]);
  });

  it("refuses multi-dimensional arrays and monetary types with UnsupportedResultException", async () => {
    await expect(execute("SELECT ARRAY[[1,2],[3,4]] AS grid")).rejects.toBeInstanceOf(
      UnsupportedResultException,
    );
    await expect(execute("SELECT 1::money AS price")).rejects.toBeInstanceOf(UnsupportedResultException);
    const [row] = (await execute("SELECT ARRAY[1,2] AS line")).records ?? [];
    expect(row?.[0]?.arrayValue?.longValues).toEqual([1, 2]);
  });
});

describe("parameters and values", () => {
  it("binds :1-style parameter names, as drizzle-orm's driver sends them", async () => {
    const result = await rows("SELECT :1::int + :2::int AS sum, ':1' AS literal", {
      parameters: [
        { name: "1", value: { longValue: 40 } },
        { name: "2", value: { longValue: 2 } },
      ],
    });
    expect(result).toEqual([{ sum: 42, literal: ":1" }]);
  });

  it("reports 0 records updated for DML with RETURNING, with the returned rows", async () => {
    const result = await execute("UPDATE deliveries SET big = 1 WHERE id IN (1, 2) RETURNING id", {
      formatRecordsAs: "JSON",
    });
    expect(result.numberOfRecordsUpdated).toBe(0);
    expect(JSON.parse(result.formattedRecords ?? "")).toHaveLength(2);
  });

  it("keeps longValue beyond 2^53 exact on the wire both ways, and honours longReturnType STRING", async () => {
    const big = "9007199254740993";
    const update = await signedPost(
      service.url,
      "/Execute",
      `{${targetJson},"sql":"UPDATE deliveries SET big = :big WHERE id = 1","parameters":[{"name":"big","value":{"longValue":${big}}}]}`,
    );
    expect(update.status).toBe(200);
    const read = await signedPost(
      service.url,
      "/Execute",
      `{${targetJson},"sql":"SELECT big FROM deliveries WHERE id = 1"}`,
    );
    expect(read.text).toContain(`{"longValue":${big}}`);
    const json = await signedPost(
      service.url,
      "/Execute",
      `{${targetJson},"sql":"SELECT big FROM deliveries WHERE id = 1","formatRecordsAs":"JSON"}`,
    );
    expect(JSON.parse(json.text).formattedRecords).toBe(`[{"big":${big}}]`);
    const asString = await execute("SELECT big FROM deliveries WHERE id = 1", {
      resultSetOptions: { longReturnType: "STRING" },
    });
    expect(asString.records?.[0]?.[0]).toEqual({ stringValue: big });
  });

  it("answers a malformed body with BadRequestException naming the field", async () => {
    const fractional = await signedPost(
      service.url,
      "/Execute",
      `{${targetJson},"sql":"SELECT :n","parameters":[{"name":"n","value":{"longValue":1.5}}]}`,
    );
    expect(fractional).toMatchObject({ status: 400, errorType: "BadRequestException" });
    expect(JSON.parse(fractional.text).message).toMatch(/parameters\.0\.value\.longValue/);
    const wrongType = await signedPost(
      service.url,
      "/Execute",
      `{${targetJson},"sql":"SELECT 1","includeResultMetadata":"yes"}`,
    );
    expect(JSON.parse(wrongType.text).message).toMatch(/includeResultMetadata/);
    const notJson = await signedPost(service.url, "/Execute", "{");
    expect(notJson).toMatchObject({ status: 400, errorType: "BadRequestException" });
  });
});

describe("signatures", () => {
  it("refuses a forged signature, an unknown key and an unsigned call with 403", async () => {
    const forged = new RDSDataClient(
      standInClientConfig(service.url, {
        credentials: { accessKeyId: localCredentials.accessKeyId, secretAccessKey: "not-the-secret" },
      }),
    );
    const refused = await forged
      .send(new ExecuteStatementCommand({ ...target, sql: "SELECT 1" }))
      .catch((error: unknown) => error);
    forged.destroy();
    expect(refused).toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } });

    const stranger = new RDSDataClient(
      standInClientConfig(service.url, {
        credentials: { accessKeyId: "AKIDSOMEONEELSE", secretAccessKey: localCredentials.secretAccessKey },
      }),
    );
    const unknown = await stranger
      .send(new ExecuteStatementCommand({ ...target, sql: "SELECT 1" }))
      .catch((error: unknown) => error);
    stranger.destroy();
    expect(unknown).toMatchObject({
      name: "UnrecognizedClientException",
      $metadata: { httpStatusCode: 403 },
    });

    const unsigned = await send(
      new URL("/Execute", service.url),
      { "content-type": "application/json" },
      `{${targetJson},"sql":"SELECT 1"}`,
    );
    expect(unsigned).toMatchObject({ status: 403, errorType: "MissingAuthenticationTokenException" });

    const tampered = await signedPost(service.url, "/Execute", `{${targetJson},"sql":"SELECT 1"}`, "wrong");
    expect(tampered).toMatchObject({ status: 403, errorType: "InvalidSignatureException" });
  });
});
