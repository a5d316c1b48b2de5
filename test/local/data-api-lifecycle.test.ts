// The stand-in's PostgreSQL server as `npm start` lives with it: close() stops it promptly even mid-statement,
// and a server left running by a killed run does not stop the next start.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { expect, it } from "vitest";
import { localDatabase } from "../../infra/local/config.ts";
import { startDataApiStandIn } from "../../infra/local/data-api/server.ts";
import { standInClientConfig } from "../../infra/local/stand-in-clients.ts";

// Every call names the local cluster, its secret and its database: localDatabase is exactly that.
const target = localDatabase;
const clientFor = (url: string) => new RDSDataClient(standInClientConfig(url, { maxAttempts: 1 }));

it("closes promptly while a statement sleeps", async () => {
  const service = await startDataApiStandIn();
  const client = clientFor(service.url);
  const sleeping = client.send(new ExecuteStatementCommand({ ...target, sql: "SELECT pg_sleep(60)" })).then(
    () => "answered",
    () => "refused",
  );
  for (;;) {
    const result = await client.send(
      new ExecuteStatementCommand({
        ...target,
        sql: "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'",
        formatRecordsAs: "JSON",
      }),
    );
    if (JSON.parse(result.formattedRecords ?? "[]")[0]?.n === 1) break;
  }
  const started = performance.now();
  await service.close();
  // Well under the 60 s the statement would sleep.
  expect(performance.now() - started).toBeLessThan(20_000);
  expect(await sleeping).toBe("refused");
  client.destroy();
}, 60_000);

it("starts on a data folder whose server was left running by a killed run", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "data-api-killed-"));
  try {
    const script = `
      import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
      import { startDataApiStandIn } from ${JSON.stringify(join(import.meta.dirname, "../../infra/local/data-api/server.ts"))};
      import { localCredentials, localDatabase, localRegion } from ${JSON.stringify(join(import.meta.dirname, "../../infra/local/config.ts"))};
      const service = await startDataApiStandIn({ dataDir: ${JSON.stringify(dataDir)} });
      const client = new RDSDataClient({ endpoint: service.url, region: localRegion, credentials: localCredentials });
      const target = { resourceArn: localDatabase.resourceArn, secretArn: localDatabase.secretArn };
      await client.send(new ExecuteStatementCommand({ ...target, sql: "CREATE TABLE survivors (name text)" }));
      await client.send(new ExecuteStatementCommand({ ...target, sql: "INSERT INTO survivors VALUES ('kept')" }));
      process.kill(process.pid, "SIGKILL");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: join(import.meta.dirname, "../.."),
      stdio: ["ignore", "ignore", "inherit"],
    });
    const signal = await new Promise((resolve) =>
      child.once("exit", (_code, exitSignal) => resolve(exitSignal)),
    );
    expect(signal).toBe("SIGKILL");

    const service = await startDataApiStandIn({ dataDir });
    const client = clientFor(service.url);
    const result = await client.send(
      new ExecuteStatementCommand({ ...target, sql: "SELECT name FROM survivors", formatRecordsAs: "JSON" }),
    );
    expect(JSON.parse(result.formattedRecords ?? "")).toEqual([{ name: "kept" }]);
    client.destroy();
    await service.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 90_000);
