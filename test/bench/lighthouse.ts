// `npm run bench -- lighthouse`: Lighthouse's performance audit, mobile (its default: a mid-range phone's
// screen, 4× CPU slowdown and simulated slow 4G), of every page a visitor meets, through the local edge,
// beside a bare static page — one image the catalog's size, nothing else — served by the same edge. The
// issue asks each page to perform at the bare page's level. Debian's Chromium, as the browser tests use.
// Settings, in the environment as the other parts take theirs: GOODGREETS_BENCH_LIGHTHOUSE_RUNS, the runs
// each figure is the median of (3); GOODGREETS_BENCH_LIGHTHOUSE_REPORTS, a folder for each page's last
// report (JSON, for https://googlechrome.github.io/lighthouse/viewer/); GOODGREETS_BENCH_LIGHTHOUSE_SITE, a
// site built there to measure (to compare two builds) instead of a fresh build. Nothing here asserts.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import lighthouse from "lighthouse";
import { localBuckets, localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";
import { markDelivered } from "../../origin/cards/delivery.ts";
import type { CreatedCard } from "../../origin/cards/views.ts";
import { createDatabase } from "../../origin/db/data-api.ts";
import { callApi } from "../../site/lib/api-client.ts";
import { chromiumPath } from "../browser/launch.ts";
import { cardBody, testNow } from "../cards/edge-client.ts";
import { startTempStack } from "../local/temp-stack.ts";
import { benchSite } from "./site-build.ts";

const step = (message: string) => console.log(`  · ${message}`);
/** Where the bench puts its bare page in the site bucket: no product page lives under it. */
const barePath = "/bench/bare/";

interface Figures {
  score: number;
  lcpMs: number;
  cls: number;
  tbtMs: number;
  fcpMs: number;
  bytes: number;
  /** The LCP element, as Lighthouse describes it (its selector), to see what a page's LCP waits for. */
  lcpElement: string;
}

/**
 * A bare page: the catalog's first picture exactly as the catalog asks for it (same src, srcset and
 * sizes, so the same bytes), at the width the catalog's grid gives it on a phone, and nothing else.
 */
export async function barePage(catalogHtml: string): Promise<string> {
  const image = /<img\b[^>]*>/i.exec(catalogHtml)?.[0];
  if (!image) throw new Error("The built catalog has no <img>: nothing to size the bare page by");
  const keep = (name: string) => new RegExp(`\\s${name}="[^"]*"`, "i").exec(image)?.[0] ?? "";
  const attributes = ["src", "srcset", "sizes", "alt", "width", "height"].map(keep).join("");
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Bare page</title></head>` +
    `<body style="margin:0"><img${attributes} style="width:50vw;height:auto"></body></html>`
  );
}

/** Debian's Chromium, headless, on a DevTools port it chooses (read back from DevToolsActivePort). */
async function startChromium(userDataDir: string): Promise<{ port: number; process: ChildProcess }> {
  const child = spawn(
    chromiumPath,
    [
      "--headless=new",
      // The bench may run as root, where Chromium refuses its sandbox (as in the browser tests).
      "--no-sandbox",
      "--remote-debugging-port=0",
      `--user-data-dir=${userDataDir}`,
      "--no-first-run",
      "--no-default-browser-check",
      "about:blank",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`Chromium exited (${code}) before it was ready`))),
  );
  exited.catch(() => {});
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const text = await readFile(join(userDataDir, "DevToolsActivePort"), "utf8").catch((error) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    });
    const port = Number(text?.split("\n")[0]);
    if (port > 0) return { port, process: child };
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), exited]);
  }
  child.kill();
  throw new Error("Chromium did not open its DevTools port within 30 s");
}

async function audit(url: string, port: number, reportFile?: string): Promise<Figures> {
  const result = await lighthouse(url, {
    port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance"],
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  const { lhr } = result;
  if (reportFile) await writeFile(reportFile, JSON.stringify(lhr));
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.message}`);
  const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
  // The LCP breakdown insight lists the phases, then the element (Lighthouse 13).
  const lcpDetails = lhr.audits["lcp-breakdown-insight"]?.details as
    | { items?: { type?: string; selector?: string }[] }
    | undefined;
  const lcpElement = lcpDetails?.items?.find((item) => item.type === "node")?.selector ?? "none";
  return {
    score: Math.round((lhr.categories.performance?.score ?? Number.NaN) * 100),
    lcpMs: value("largest-contentful-paint"),
    cls: value("cumulative-layout-shift"),
    tbtMs: value("total-blocking-time"),
    fcpMs: value("first-contentful-paint"),
    bytes: value("total-byte-weight"),
    lcpElement,
  };
}

const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function medianOf(runs: Figures[]): Figures {
  const of = (key: Exclude<keyof Figures, "lcpElement">) => median(runs.map((run) => run[key]));
  return {
    score: of("score"),
    lcpMs: of("lcpMs"),
    cls: of("cls"),
    tbtMs: of("tbtMs"),
    fcpMs: of("fcpMs"),
    bytes: of("bytes"),
    lcpElement: runs[0]?.lcpElement ?? "",
  };
}

export async function benchLighthouse(): Promise<void> {
  const settings = process.env;
  const runsText = settings.GOODGREETS_BENCH_LIGHTHOUSE_RUNS ?? "3";
  const runs = Number(runsText);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    console.error(`GOODGREETS_BENCH_LIGHTHOUSE_RUNS takes a whole number from 1 to 20, not ${runsText}`);
    process.exit(2);
  }
  console.log(
    `\nlighthouse: performance on a phone (Lighthouse's mobile defaults: simulated throttling), through the local edge, median of ${runs}`,
  );
  const temporary: string[] = [];
  try {
    // A fresh build unless told otherwise: this measures the pages as the sources make them, not an older
    // dist/site.
    const site = await benchSite("lighthouse", step, settings.GOODGREETS_BENCH_LIGHTHOUSE_SITE);
    if (site.fresh) temporary.push(site.folder);
    const siteFolder = site.folder;
    step("starting the local stack");
    const tempStack = await startTempStack("bench-lighthouse", siteFolder, { now: () => testNow.getTime() });
    const { stack } = tempStack;
    const s3 = new S3Client({
      endpoint: stack.s3.url,
      forcePathStyle: true,
      region: localRegion,
      credentials: localCredentials,
    });
    const dataApi = new RDSDataClient({
      endpoint: stack.dataApi.url,
      region: localRegion,
      credentials: localCredentials,
    });
    const userDataDir = await mkdtemp(join(tmpdir(), "goodgreets-bench-chromium-"));
    temporary.push(userDataDir);
    let chromium: ChildProcess | undefined;
    try {
      const base = stack.edge.url;
      const viaEdge: typeof fetch = (path, init) => fetch(`${base}${String(path)}`, init);
      step("publishing the bare page and making a card with three signatures, then one delivered");
      await s3.send(
        new PutObjectCommand({
          Bucket: localBuckets.site,
          Key: `${barePath.slice(1)}index.html`,
          Body: await barePage(await readFile(join(siteFolder, "index.html"), "utf8")),
          ContentType: "text/html; charset=utf-8",
        }),
      );
      const open = await callApi<CreatedCard>("/api/cards", { body: cardBody(), fetch: viaEdge });
      const sent = await callApi<CreatedCard>("/api/cards", { body: cardBody(), fetch: viaEdge });
      for (const created of [open, sent])
        for (const name of ["Ana", "Ben", "Cy"])
          await callApi(`/api/sign/${created.links.sign.slice(3)}/signatures`, {
            body: { name, message: `Many happy returns from ${name}, with love and cake.` },
            fetch: viaEdge,
          });
      // The one transition to "sent" the delivery job makes once the email is out: the card opens to anyone.
      await markDelivered(createDatabase({ ...localDatabase, client: dataApi }), sent.card.id, testNow);

      const pages: [string, string][] = [
        ["bare static page", barePath],
        ["catalog /", "/"],
        ["design /design/balloon-bunch/", "/design/balloon-bunch/"],
        ["create /create/", "/create/"],
        ["sign /s/<id>", open.links.sign],
        ["organiser /o/<id>#<secret>", open.links.organiser],
        ["card /c/<id> (delivered)", sent.links.card],
      ];
      const reports = settings.GOODGREETS_BENCH_LIGHTHOUSE_REPORTS;
      if (reports) await mkdir(reports, { recursive: true });
      const started = await startChromium(userDataDir);
      chromium = started.process;
      const measured: [string, Figures][] = [];
      for (const [label, path] of pages) {
        // One run unmeasured, so the measured ones find the edge's cache as every visitor after the first
        // would: a picture's first request waits for the resizer, and Lighthouse's simulation replays each
        // request's observed server time.
        await audit(`${base}${path}`, started.port);
        const results: Figures[] = [];
        const reportFile = reports && join(reports, `${label.split(" ")[0]}.json`);
        for (let run = 0; run < runs; run += 1)
          results.push(await audit(`${base}${path}`, started.port, reportFile));
        const figures = medianOf(results);
        step(`${label}: score ${figures.score}, LCP ${figures.lcpMs.toFixed(0)} ms on ${figures.lcpElement}`);
        measured.push([label, figures]);
      }

      const bare = measured[0]?.[1];
      const header = `${"page".padEnd(32)} ${"score".padStart(5)} ${"LCP ms".padStart(7)} ${"× bare".padStart(6)} ${"CLS".padStart(6)} ${"TBT ms".padStart(6)} ${"FCP ms".padStart(6)} ${"bytes".padStart(8)}`;
      const lines = measured.map(
        ([label, figures]) =>
          `${label.padEnd(32)} ${String(figures.score).padStart(5)} ${figures.lcpMs.toFixed(0).padStart(7)} ${(bare ? figures.lcpMs / bare.lcpMs : Number.NaN).toFixed(2).padStart(6)} ${figures.cls.toFixed(3).padStart(6)} ${figures.tbtMs.toFixed(0).padStart(6)} ${figures.fcpMs.toFixed(0).padStart(6)} ${figures.bytes.toFixed(0).padStart(8)}`,
      );
      console.log(`\n${header}\n${lines.join("\n")}`);
      console.log(
        "bytes: transferred, as Lighthouse counts them (total-byte-weight); Chromium " +
          (await promisify(execFile)(chromiumPath, ["--version"])).stdout.trim(),
      );
    } finally {
      chromium?.kill();
      s3.destroy();
      dataApi.destroy();
      await tempStack.close();
    }
  } finally {
    for (const folder of temporary) await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchLighthouse();
