// The local stack's report server: the latest file on each load, a clear 404 before there is one.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReportServer, startReportServer } from "../../infra/metrics/report-server.ts";

let folder: string;
let server: ReportServer;
const file = () => join(folder, "edge-metrics.html");

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "report-server-"));
  server = await startReportServer({ file: file(), port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

describe("report server", () => {
  it("says how to make a report before there is one, then serves the latest one", async () => {
    const before = await fetch(server.url);
    expect(before.status).toBe(404);
    expect(await before.text()).toContain("npm run metrics");
    await writeFile(file(), "<p>first</p>");
    expect(await (await fetch(server.url)).text()).toBe("<p>first</p>");
    await writeFile(file(), "<p>second</p>");
    const latest = await fetch(server.url);
    expect(latest.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(latest.headers.get("cache-control")).toBe("no-store");
    expect(await latest.text()).toBe("<p>second</p>");
  });

  it("refuses other paths and methods", async () => {
    expect((await fetch(`${server.url}etc/passwd`)).status).toBe(404);
    const post = await fetch(server.url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
