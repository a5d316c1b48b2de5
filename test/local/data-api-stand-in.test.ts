// The Data API stand-in driven by the real RDSDataClient, as the origin drives Aurora.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BadRequestException,
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  TransactionNotFoundException,
} from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import type { RunningService } from "../../infra/local/service.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";

let service: RunningService;
let client: RDSDataClient;
// Every call names the local cluster, its secret and its database: localDatabase is exactly that.
const target = localDatabase;
const execute = (
  sql: string,
  extra: Partial<ConstructorParameters<typeof ExecuteStatementCommand>[0]> = {},
) => client.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));

beforeAll(async () => {
  service = await startDataApiStandIn({ transactionIdleTimeoutMs: 300 });
  client = new RDSDataClient(standInClientConfig(service.url));
  await execute(
    "CREATE TABLE cards_test (id text PRIMARY KEY, amount bigint, price numeric(8,2), ratio float8, paid boolean, due timestamp, doc jsonb, photo bytea, ref uuid, note text)",
  );
});

afterAll(async () => {
  client?.destroy();
  await service?.close();
});

describe("ExecuteStatement", () => {
  it("binds typed named parameters, NULLs and type hints, and returns typed fields", async () => {
    const inserted = await execute(
      "INSERT INTO cards_test VALUES (:id, :amount, :price, :ratio, :paid, :due, :doc, :photo, :ref, :note)",
      {
        parameters: [
          { name: "id", value: { stringValue: "c1" } },
          { name: "amount", value: { longValue: 42 } },
          { name: "price", value: { stringValue: "12.50" }, typeHint: "DECIMAL" },
          { name: "ratio", value: { doubleValue: 0.25 } },
          { name: "paid", value: { booleanValue: true } },
          { name: "due", value: { stringValue: "2026-12-24 18:00:00" }, typeHint: "TIMESTAMP" },
          { name: "doc", value: { stringValue: '{"from":"Ana & Bo"}' }, typeHint: "JSON" },
          { name: "photo", value: { blobValue: new Uint8Array([1, 2, 255]) } },
          { name: "ref", value: { stringValue: "6f1c2f0e-1f2a-4b9a-9e2b-0c1d2e3f4a5b" }, typeHint: "UUID" },
          { name: "note", value: { isNull: true } },
        ],
      },
    );
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    const result = await execute("SELECT * FROM cards_test WHERE id = :id", {
      parameters: [{ name: "id", value: { stringValue: "c1" } }],
      includeResultMetadata: true,
    });
    const [row] = result.records ?? [];
    expect(row?.[0]).toEqual({ stringValue: "c1" });
    expect(row?.[1]).toEqual({ longValue: 42 });
    expect(row?.[2]).toEqual({ stringValue: "12.50" });
    expect(row?.[3]).toEqual({ doubleValue: 0.25 });
    expect(row?.[4]).toEqual({ booleanValue: true });
    expect(row?.[5]).toEqual({ stringValue: "2026-12-24 18:00:00" });
    expect(row?.[6]).toEqual({ stringValue: '{"from": "Ana & Bo"}' });
    expect(Array.from(row?.[7]?.blobValue ?? [])).toEqual([1, 2, 255]);
    expect(row?.[9]).toEqual({ isNull: true });
    expect(result.columnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ["id", "text"],
      ["amount", "int8"],
      ["price", "numeric"],
      ["ratio", "float8"],
      ["paid", "bool"],
      ["due", "timestamp"],
      ["doc", "jsonb"],
      ["photo", "bytea"],
      ["ref", "uuid"],
      ["note", "text"],
    ]);
  });

  it("refuses a string where a uuid is needed without the UUID type hint, as Aurora does", async () => {
    await expect(
      execute("SELECT * FROM cards_test WHERE ref = :ref", {
        parameters: [{ name: "ref", value: { stringValue: "6f1c2f0e-1f2a-4b9a-9e2b-0c1d2e3f4a5b" } }],
      }),
    ).rejects.toBeInstanceOf(DatabaseErrorException);
  });

  it("formats records as JSON and leaves :names in literals and ::casts alone", async () => {
    const result = await execute(
      "SELECT ':id' AS literal, :n::int + 1 AS next, amount, note FROM cards_test WHERE id = :id",
      {
        parameters: [
          { name: "id", value: { stringValue: "c1" } },
          { name: "n", value: { longValue: 1 } },
        ],
        formatRecordsAs: "JSON",
      },
    );
    expect(result.records).toBeUndefined();
    expect(JSON.parse(result.formattedRecords ?? "")).toEqual([
      { literal: ":id", next: 2, amount: 42, note: null },
    ]);
  });

  it("maps an SQL error to DatabaseErrorException and a missing parameter or bad target to BadRequestException", async () => {
    const syntax = await execute("SELEC 1").catch((error: unknown) => error);
    expect(syntax).toBeInstanceOf(DatabaseErrorException);
    expect((syntax as Error).message).toMatch(/syntax error/);
    await expect(execute("INSERT INTO cards_test (id) VALUES ('c1')")).rejects.toThrow(/duplicate key/);
    await expect(execute("SELECT :missing")).rejects.toBeInstanceOf(BadRequestException);
    await expect(
      client.send(
        new ExecuteStatementCommand({
          ...target,
          resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:other",
          sql: "SELECT 1",
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
  });
});

describe("transactions", () => {
  it("commits, rolls back, and reports an unknown transaction id", async () => {
    const { transactionId: committed } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO cards_test (id) VALUES ('kept')", { transactionId: committed });
    const commit = await client.send(new CommitTransactionCommand({ ...target, transactionId: committed }));
    expect(commit.transactionStatus).toBe("Transaction Committed");

    const { transactionId: rolledBack } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO cards_test (id) VALUES ('dropped')", { transactionId: rolledBack });
    const rollback = await client.send(
      new RollbackTransactionCommand({ ...target, transactionId: rolledBack }),
    );
    expect(rollback.transactionStatus).toBe("Rollback Complete");

    const ids = await execute("SELECT id FROM cards_test WHERE id IN ('kept', 'dropped')", {
      formatRecordsAs: "JSON",
    });
    expect(JSON.parse(ids.formattedRecords ?? "")).toEqual([{ id: "kept" }]);
    await expect(
      client.send(new CommitTransactionCommand({ ...target, transactionId: "no-such-transaction" })),
    ).rejects.toBeInstanceOf(TransactionNotFoundException);
  });

  it("hides a transaction's uncommitted rows from statements outside it", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO cards_test (id) VALUES ('isolated')", { transactionId });
    const outside = execute("SELECT count(*) AS n FROM cards_test WHERE id = 'isolated'", {
      formatRecordsAs: "JSON",
    });
    await client.send(new RollbackTransactionCommand({ ...target, transactionId }));
    expect(JSON.parse((await outside).formattedRecords ?? "")).toEqual([{ n: 0 }]);
  });

  it("rolls back a transaction left idle", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO cards_test (id) VALUES ('abandoned')", { transactionId });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(execute("SELECT 1", { transactionId })).rejects.toBeInstanceOf(TransactionNotFoundException);
    const left = await execute("SELECT count(*) AS n FROM cards_test WHERE id = 'abandoned'", {
      formatRecordsAs: "JSON",
    });
    expect(JSON.parse(left.formattedRecords ?? "")).toEqual([{ n: 0 }]);
  });

  it("runs a batch as one unit", async () => {
    const batch = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        sql: "INSERT INTO cards_test (id, amount) VALUES (:id, :amount)",
        parameterSets: [
          [
            { name: "id", value: { stringValue: "b1" } },
            { name: "amount", value: { longValue: 1 } },
          ],
          [
            { name: "id", value: { stringValue: "b2" } },
            { name: "amount", value: { longValue: 2 } },
          ],
        ],
      }),
    );
    expect(batch.updateResults).toHaveLength(2);
    await expect(
      client.send(
        new BatchExecuteStatementCommand({
          ...target,
          sql: "INSERT INTO cards_test (id) VALUES (:id)",
          parameterSets: [
            [{ name: "id", value: { stringValue: "b3" } }],
            [{ name: "id", value: { stringValue: "b1" } }],
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(DatabaseErrorException);
    const rows = await execute("SELECT id FROM cards_test WHERE id LIKE 'b%' ORDER BY id", {
      formatRecordsAs: "JSON",
    });
    expect(JSON.parse(rows.formattedRecords ?? "")).toEqual([{ id: "b1" }, { id: "b2" }]);
  });
});

describe("persistence", () => {
  it("keeps data across a restart with a data folder", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "data-api-"));
    try {
      let stand = await startDataApiStandIn({ dataDir });
      let local = new RDSDataClient(standInClientConfig(stand.url));
      await local.send(new ExecuteStatementCommand({ ...target, sql: "CREATE TABLE kept (v text)" }));
      await local.send(
        new ExecuteStatementCommand({ ...target, sql: "INSERT INTO kept VALUES ('still here')" }),
      );
      local.destroy();
      await stand.close();
      stand = await startDataApiStandIn({ dataDir });
      local = new RDSDataClient(standInClientConfig(stand.url));
      const result = await local.send(
        new ExecuteStatementCommand({ ...target, sql: "SELECT v FROM kept", formatRecordsAs: "JSON" }),
      );
      expect(JSON.parse(result.formattedRecords ?? "")).toEqual([{ v: "still here" }]);
      local.destroy();
      await stand.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
