// `npm run bench`, cards: per page, the HTML, CSS and JS a browser loads, gzipped; the Data API calls per
// API route (the walk test/cards/round-trips.test.ts asserts); and, through the local edge, 1,000
// concurrent card opens (delivered cards' data and page shells) and 100 concurrent signatures on one card,
// checked against the count in the database. The objective designed for: 1,000 users under 500 ms (p99).
// Nothing here asserts.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { parseAccessLog } from "../../infra/local/edge/access-log.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { callApi } from "../../site/lib/api-client.ts";
import { cardBody, testNow } from "../cards/edge-client.ts";
import { countRouteCalls } from "../cards/round-trips.ts";
import { startTempStack } from "../local/temp-stack.ts";
import { gzippedBytes, pageScripts } from "../site/page-weight.ts";
import { runLoad } from "./load-client.ts";
import { benchSite } from "./site-build.ts";

const objectiveMs = 500;
const openers = 1000;
const signers = 100;
const soloSigners = 10;
const openSeconds = 10;
/**
 * Every connection walks the same list from its start (load-client.ts), about 15 requests each in the
 * run on this machine, so the list is kept short enough for every delivered card to be opened.
 */
const cardCount = 8;
const deliveredCount = 5;
/** The pages a visitor meets, by the built file that serves each (the shells take their id at run time). */
const pages: [string, string][] = [
  ["catalog /", "index.html"],
  ["category /designs/birthday/", "designs/birthday/index.html"],
  ["design /design/balloon-bunch/", "design/balloon-bunch/index.html"],
  ["create /create/", "create/index.html"],
  ["sign /s/<id>", "s/index.html"],
  ["organiser /o/<id>", "o/index.html"],
  ["card /c/<id>", "c/index.html"],
];

const step = (message: string) => console.log(`  · ${message}`);
const gzipped = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;
const attribute = (tag: string, name: string) =>
  new RegExp(`\\s${name}\\s*=\\s*["']?([^"'\\s>]+)`, "i").exec(tag)?.[1];

/** The stylesheets a page's HTML names (<link rel=stylesheet>); its scripts are test/site/page-weight.ts's. */
function stylesheetsOf(html: string): string[] {
  const css: string[] = [];
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi))
    if (attribute(tag, "rel")?.toLowerCase() === "stylesheet") css.push(attribute(tag, "href") ?? "");
  return css.filter(Boolean);
}

/**
 * A chunk's name without its folder and content hash: `/_astro/edit-card.GG8aLW2X.js` is `edit-card`, and a
 * page's own script `picture.astro_astro_type_script_index_0_lang.CgFYfMnx.js` is `picture.astro`.
 */
const chunkName = (path: string) =>
  path
    .replace(/^\/_astro\//, "")
    .replace(/_astro_type_script_index_\d+_lang/, "")
    .replace(/\.[\w-]+\.js$/, "");

/**
 * Per page: its HTML and stylesheets, and the JavaScript it loads with the page (its module scripts and
 * their static imports, as the 15,000-byte check in test/site/build.test.ts counts them); apart, what
 * loads only on demand (an import(), or another page's scripts a script fetches and runs), by chunk.
 */
export async function pageWeights(siteFolder: string): Promise<string[]> {
  const lines = [
    `${"page".padEnd(32)} ${"HTML".padStart(7)} ${"CSS".padStart(7)} ${"JS".padStart(7)}  (bytes gzipped)`,
  ];
  for (const [label, file] of pages) {
    const htmlBytes = await readFile(join(siteFolder, file));
    const html = htmlBytes.toString("utf8");
    let css = 0;
    for (const path of stylesheetsOf(html)) css += gzipped(await readFile(join(siteFolder, path)));
    const { initial, onDemand, fetchedPages } = await pageScripts(siteFolder, html);
    const js = await gzippedBytes(siteFolder, initial);
    const lazy: string[] = [];
    for (const path of onDemand) lazy.push(`${chunkName(path)} ${await gzippedBytes(siteFolder, [path])}`);
    lines.push(
      `${label.padEnd(32)} ${String(gzipped(htmlBytes)).padStart(7)} ${String(css).padStart(7)} ${String(js).padStart(7)}` +
        (initial.length ? `  ${initial.length} modules` : "") +
        (onDemand.length
          ? `; on demand ${await gzippedBytes(siteFolder, onDemand)} more: ${lazy.join(", ")}` +
            (fetchedPages.length ? ` (with the scripts of ${fetchedPages.join(", ")})` : "")
          : ""),
    );
  }
  return lines;
}

/** User + system CPU milliseconds this process has used since `since`. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchCards(): Promise<void> {
  console.log(
    `\ncards: page weights, Data API calls per route, ${openers} concurrent card opens and ${signers} concurrent signatures through the local edge`,
  );
  const temporary: string[] = [];
  try {
    // Always this tree's site, built as it ships: a dist/site left from an earlier `npm run build` may be stale.
    const { folder: siteFolder } = await benchSite("cards", step);
    temporary.push(siteFolder);
    const weights = await pageWeights(siteFolder);

    step("starting the local stack");
    const tempStack = await startTempStack("bench-cards", siteFolder, { now: () => testNow.getTime() });
    const { stack } = tempStack;
    const client = new RDSDataClient({
      endpoint: stack.dataApi.url,
      region: localRegion,
      credentials: localCredentials,
    });
    const database = createDatabase({ ...localDatabase, client });
    const base = stack.edge.url;
    // The pages' own client: JSON, and the body's SHA-256 that the function URL requires.
    const viaEdge: typeof fetch = (path, init) => fetch(`${base}${String(path)}`, init);
    try {
      step("counting Data API calls per route");
      const { table } = await countRouteCalls(database, testNow);

      step(`creating ${cardCount} cards with 3 signatures each; ${deliveredCount} marked delivered`);
      const delivered: string[] = [];
      for (let index = 0; index < cardCount; index += 1) {
        const created = await callApi<CreatedCard>("/api/cards", {
          body: cardBody({ title: `Happy birthday, Sam! (${index})` }),
          fetch: viaEdge,
        });
        for (const name of ["Ana", "Ben", "Cy"])
          await callApi(`/api/sign/${created.links.sign.slice(3)}/signatures`, {
            body: { name, message: `Many happy returns from ${name}` },
            fetch: viaEdge,
          });
        if (index < deliveredCount) {
          // The one transition to "sent" the delivery job makes once the email is out.
          await markDelivered(database, created.card.id, testNow);
          delivered.push(created.card.id);
        }
      }
      const openPaths = delivered.flatMap((id) => [`/c/${id}`, `/api/cards/${id}`]);
      step(
        `card opens: ${openers} connections for ${openSeconds} s over ${openPaths.length} paths ` +
          "(each delivered card's page shell and data, from cold), autocannon in its own process",
      );
      // CPU of this process, its threads included: the stack's Node side, not the load client nor PostgreSQL.
      const opensCpu = process.cpuUsage();
      const opens = await runLoad(
        { url: base, paths: openPaths, connections: openers, durationSeconds: openSeconds },
        (second, requests) => step(`  second ${second}: ${requests} requests`),
      );
      // Requests autocannon left in flight are still being answered: wait for the edge to go quiet (its access
      // log stops growing) so the signatures are not measured behind them.
      const logged = async () => {
        await stack.edge.accessLog?.flush();
        let lines = 0;
        for (const file of await readdir(stack.accessLogDirectory))
          for (const line of (await readFile(join(stack.accessLogDirectory, file), "utf8")).split("\n"))
            if (line !== "" && !line.startsWith("#")) lines += 1;
        return lines;
      };
      const quietFrom = performance.now();
      for (let last = -1, now = await logged(); now !== last && performance.now() - quietFrom < 30_000; ) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        [last, now] = [now, await logged()];
      }
      step(`the edge went quiet ${((performance.now() - quietFrom) / 1000).toFixed(1)} s after the load`);
      const opensCpuMs = cpuMs(opensCpu);
      // X-Cache as the access log names it (x-edge-result-type), for the opened paths only.
      await stack.edge.accessLog?.flush();
      const opened = new Set(openPaths);
      const cacheMix = new Map<string, number>();
      const cardsOpened = new Set<string>();
      for (const file of await readdir(stack.accessLogDirectory)) {
        for (const record of parseAccessLog(await readFile(join(stack.accessLogDirectory, file), "utf8"))) {
          if (record["cs-method"] !== "GET" || !opened.has(record["cs-uri-stem"])) continue;
          const kind = `${record["x-edge-result-type"]} ${record["cs-uri-stem"].startsWith("/api/") ? "data" : "shell"}`;
          cacheMix.set(kind, (cacheMix.get(kind) ?? 0) + 1);
          cardsOpened.add(record["cs-uri-stem"].slice(record["cs-uri-stem"].lastIndexOf("/") + 1));
        }
      }

      step(`signatures: ${soloSigners} one at a time, then ${signers} POSTs at once on another card`);
      const signPathOf = async () => {
        const created = await callApi<CreatedCard>("/api/cards", { body: cardBody(), fetch: viaEdge });
        return { card: created, signPath: `/api/sign/${created.links.sign.slice(3)}/signatures` };
      };
      // The same signature alone: what the concurrent ones are compared with.
      const solo = await signPathOf();
      const soloTimes: number[] = [];
      for (let index = 0; index < soloSigners; index += 1) {
        const started = performance.now();
        await callApi(solo.signPath, { body: { name: `Solo ${index}`, message: "Hi" }, fetch: viaEdge });
        soloTimes.push(performance.now() - started);
      }
      const { card, signPath } = await signPathOf();
      const signTimes: number[] = [];
      const signCpu = process.cpuUsage();
      const signErrors = new Map<string, number>();
      await Promise.all(
        Array.from({ length: signers }, async (_, index) => {
          const started = performance.now();
          try {
            await callApi(signPath, {
              body: { name: `Signer ${index}`, message: `Message ${index}` },
              fetch: viaEdge,
            });
            signTimes.push(performance.now() - started);
          } catch (error) {
            const name = error instanceof Error ? error.message : String(error);
            signErrors.set(name, (signErrors.get(name) ?? 0) + 1);
          }
        }),
      );
      const signCpuMs = cpuMs(signCpu);
      const [{ count }] = (await database.query<{ count: number }>(
        "SELECT count(*)::integer AS count FROM signatures WHERE card_id = :id",
        { id: card.card.id },
      )) as [{ count: number }];

      // ── The table.
      console.log(`\n${weights.join("\n")}`);
      console.log(`\n${"API route".padEnd(52)} Data API calls`);
      for (const [route, calls] of table) console.log(`${route.padEnd(52)} ${calls}`);
      const opensFailed = opens.errors + opens.requests - (opens.statuses["200"] ?? 0);
      const sorted = signTimes.toSorted((a, b) => a - b);
      const signP99 = percentile(sorted, 99);
      const verdict = (p99: number) => (p99 < objectiveMs ? "met" : "not met");
      const failures = [...signErrors].map(([message, times]) => `${times} × ${message}`).join("; ");
      console.log(`
${"through the local edge".padEnd(34)} ${"requests".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(7)}  objective
${`card opens, ${openers} concurrent`.padEnd(34)} ${String(opens.requests).padStart(8)} ${opens.p50Ms.toFixed(1).padStart(8)} ${opens.p99Ms.toFixed(1).padStart(8)} ${String(opensFailed).padStart(7)}  p99 < ${objectiveMs} ms: ${verdict(opens.p99Ms)}
${`signatures, ${signers} concurrent`.padEnd(34)} ${String(signers).padStart(8)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${signP99.toFixed(1).padStart(8)} ${String(signers - signTimes.length).padStart(7)}  p99 < ${objectiveMs} ms: ${verdict(signP99)}
card opens: ${opens.requestsPerSecond.toFixed(0)} requests/s, ${(opensCpuMs / opens.requests).toFixed(2)} ms of the stack's CPU each; statuses ${Object.entries(
        opens.statuses,
      )
        .map(([status, times]) => `${status} × ${times}`)
        .join(", ")}${opens.errors ? `; ${opens.errors} connection errors or timeouts` : ""}
card opens: ${cardsOpened.size} of ${delivered.length} delivered cards opened; X-Cache mix: ${[...cacheMix]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, times]) => `${kind} × ${times}`)
        .join(", ")}
signatures: ${(signCpuMs / signers).toFixed(1)} ms of the stack's CPU each; one alone: p50 ${percentile(
        soloTimes.toSorted((a, b) => a - b),
        50,
      ).toFixed(1)} ms over ${soloSigners}
signatures: ${signTimes.length} answered 201, ${count} in the database — ${count === signTimes.length ? "none lost" : `${signTimes.length - count} LOST`}${failures ? `; failed: ${failures}` : ""}`);
    } finally {
      client.destroy();
      await tempStack.close();
    }
  } finally {
    for (const folder of temporary) await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchCards();
