// `npm run bench`, images: a 12-megapixel JPEG to a 400 px WebP and AVIF through the resizer's pipeline
// (edge/image-render.ts) and through a naive sharp pipeline, side by side in the same run. Each pipeline
// runs in its own Node process, so its peak resident memory (VmHWM) is its own. Then a cold
// catalog page's picture misses through the local Lambda@Edge runtime, one execution environment against two.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { lambdaEdgeRequest, startLambdaEdgeFunction } from "../../infra/local/edge/lambda-edge-runtime.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
const rounds = 3;
const runsPerProcess = 3;
const width = 400;

/**
 * A photograph stand-in, 4000×3000 at JPEG quality 90: a scene of flat shapes under grey texture at three
 * scales (noise drawn small and enlarged) and sensor grain. The texture is what survives the shrink to
 * 400 px, as a photograph's detail does; grain alone averages away and leaves a 1–2 KB AVIF in which the
 * container, not the encoder, decides the bytes.
 */
async function twelveMegapixelJpeg(): Promise<Buffer> {
  const [w, h] = [4000, 3000];
  const scene = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
      <defs><linearGradient id="sky" x2="0" y2="1"><stop offset="0" stop-color="#5b8fd6"/><stop offset="1" stop-color="#f3d9b1"/></linearGradient></defs>
      <rect width="${w}" height="${h}" fill="url(#sky)"/>
      <circle cx="2900" cy="800" r="420" fill="#ffe08a"/>
      <path d="M0 2200 Q1000 1500 2000 2100 T4000 1900 V3000 H0Z" fill="#3f7a3a"/>
      <rect x="600" y="1500" width="900" height="1100" rx="60" fill="#b5533c"/>
    </svg>`,
  );
  const raw = { width: w, height: h, channels: 3 } as const;
  const noise = (width: number, height: number, sigma: number) =>
    sharp({
      create: {
        width,
        height,
        channels: 3,
        background: "#000",
        noise: { type: "gaussian", mean: 128, sigma },
      },
    })
      .raw()
      .toBuffer();
  const texture = async (width: number, sigma: number) => {
    const height = Math.round((width * h) / w);
    const small = await noise(width, height, sigma);
    // Grey, as light and shade are: the first channel copied to the other two.
    for (let index = 0; index < small.length; index += 3)
      small[index + 1] = small[index + 2] = small[index] ?? 0;
    const input = await sharp(small, { raw: { width, height, channels: 3 } })
      .resize(w, h, { kernel: "cubic" })
      .raw()
      .toBuffer();
    return { input, raw, blend: "soft-light" } as const;
  };
  const layers = [await texture(48, 40), await texture(200, 36), await texture(800, 30)];
  const grain = { input: await noise(w, h, 24), raw, blend: "soft-light" } as const;
  return sharp(scene)
    .removeAlpha()
    .composite([...layers, grain])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * The naive pipeline is sharp's defaults (AVIF effort 4, 4:4:4 chroma; lanczos3; shrink-on-load for JPEG,
 * as the resizer gets too) at the resizer's quality setting, so bytes compare at the same quality
 * parameter; the PSNR column checks that bytes were not bought with quality.
 */
const pipelines = {
  "resizer webp": `(input) => renderVariant(input, ${width}, "webp")`,
  "naive webp": `(input) => sharp(input).resize(${width}).webp({ quality: variantQuality.webp }).toBuffer()`,
  "resizer avif": `(input) => renderVariant(input, ${width}, "avif")`,
  "naive avif": `(input) => sharp(input).resize(${width}).avif({ quality: variantQuality.avif }).toBuffer()`,
} as const;
type Pipeline = keyof typeof pipelines;
interface Sample {
  /** Wall time of each run, ms. */
  times: number[];
  /** CPU time of each run (user and system, every thread of the process), ms. */
  cpuTimes: number[];
  bytes: number;
  peakMb: number;
  /** Peak RSS before the first run: Node, sharp and the TypeScript loader, not the pipeline. */
  startMb: number;
  psnrDb: number;
}

/**
 * One pipeline, `runsPerProcess` times, in a fresh process: the times, output bytes, peak RSS in MB (read
 * before the quality check), and the output's PSNR against the same resize left unencoded.
 */
async function measure(file: string, pipeline: string): Promise<Sample> {
  const script = `
    import { readFile } from "node:fs/promises";
    import sharp from "sharp";
    import { renderVariant, variantQuality } from ${JSON.stringify(pathToFileURL(join(repositoryRoot, "edge/image-render.ts")).href)};
    sharp.cache(false);
    const input = await readFile(${JSON.stringify(file)});
    const run = ${pipeline};
    // VmHWM is this process's own peak; Linux carries the parent's peak over fork and exec into maxRSS.
    const highWaterMb = async () => {
      const status = await readFile("/proc/self/status", "utf8").catch(() => "");
      const kb = /^VmHWM:\\s+(\\d+) kB$/m.exec(status)?.[1];
      return kb ? Number(kb) / 1024 : process.resourceUsage().maxRSS / 1024;
    };
    const startMb = await highWaterMb();
    const times = []; const cpuTimes = []; let output;
    for (let i = 0; i < ${runsPerProcess}; i++) {
      const start = performance.now();
      const startCpu = process.cpuUsage();
      output = await run(input);
      times.push(performance.now() - start);
      const cpu = process.cpuUsage(startCpu);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
    const peakMb = await highWaterMb();
    const reference = await sharp(input).resize(${width}).removeAlpha().raw().toBuffer();
    const decoded = await sharp(output).removeAlpha().raw().toBuffer();
    let squares = 0;
    for (let i = 0; i < reference.length; i++) squares += (reference[i] - decoded[i]) ** 2;
    const psnrDb = 10 * Math.log10((255 * 255 * reference.length) / squares);
    console.log(JSON.stringify({ times, cpuTimes, bytes: output.length, peakMb, startMb, psnrDb }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: repositoryRoot,
    timeout: 300_000,
  });
  return JSON.parse(stdout) as Sample;
}

export async function benchImages(): Promise<void> {
  console.log(
    `\nImages: 12 MP JPEG → ${width} px; each pipeline in its own process, ${rounds} rounds taking turns, ` +
      `${runsPerProcess} runs a round; median wall and CPU time (the ratios are of CPU time, which the ` +
      "shared machine's load does not stretch)",
  );
  const folder = await mkdtemp(join(tmpdir(), "goodgreets-bench-images-"));
  try {
    const file = join(folder, "photo.jpg");
    const photo = await twelveMegapixelJpeg();
    await writeFile(file, photo);
    console.log(`  input ${(photo.length / 1024 / 1024).toFixed(1)} MB`);
    const samples = new Map<Pipeline, Sample[]>();
    // Rounds take turns so the shared machine's load falls on every pipeline alike.
    for (let round = 0; round < rounds; round += 1)
      for (const [name, pipeline] of Object.entries(pipelines) as [Pipeline, string][])
        samples.set(name, [...(samples.get(name) ?? []), await measure(file, pipeline)]);
    const results = new Map(
      [...samples].map(([name, list]) => {
        const median = (values: number[]) =>
          values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
        const first = list[0] as Sample;
        const result = {
          ms: median(list.flatMap((sample) => sample.times)),
          cpuMs: median(list.flatMap((sample) => sample.cpuTimes)),
          bytes: first.bytes,
          psnrDb: first.psnrDb,
          peakMb: Math.max(...list.map((sample) => sample.peakMb)),
          startMb: Math.max(...list.map((sample) => sample.startMb)),
        };
        return [name, result] as const;
      }),
    );
    for (const [name, { ms, cpuMs, bytes, psnrDb, peakMb, startMb }] of results)
      console.log(
        `  ${name.padEnd(13)} ${ms.toFixed(0).padStart(6)} ms ${cpuMs.toFixed(0).padStart(6)} ms CPU ` +
          `${String(bytes).padStart(8)} bytes ` +
          `${psnrDb.toFixed(2).padStart(6)} dB PSNR ${peakMb.toFixed(0).padStart(5)} MB peak (${startMb.toFixed(0)} before the first run)`,
      );
    const of = (name: Pipeline) =>
      results.get(name) ?? { ms: 0, cpuMs: 0, bytes: 0, psnrDb: 0, peakMb: 0, startMb: 0 };
    const ratio = (a: Pipeline, b: Pipeline, key: "cpuMs" | "bytes") => (of(a)[key] / of(b)[key]).toFixed(2);
    const dB = (a: Pipeline, b: Pipeline) => (of(a).psnrDb - of(b).psnrDb).toFixed(2);
    console.log(
      `  webp time ×${ratio("resizer webp", "naive webp", "cpuMs")} of naive (aim ≤ 1), ` +
        `bytes ×${ratio("resizer webp", "naive webp", "bytes")}, PSNR ${dB("resizer webp", "naive webp")} dB; ` +
        `avif time ×${ratio("resizer avif", "naive avif", "cpuMs")} (aim ≤ 0.33), ` +
        `bytes ×${ratio("resizer avif", "naive avif", "bytes")} (aim ≤ 1.15), PSNR ${dB("resizer avif", "naive avif")} dB; ` +
        "peak memory aim < 256 MB",
    );
    await benchCatalogMisses();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * A cold catalog page's picture misses through the local Lambda@Edge runtime: every catalog picture once
 * at 320 px AVIF, six at a time as a browser asks, from a fresh function (its Init included), rendered
 * by the resizer's code (catalog-render-handler.ts). One execution environment against the runtime's
 * pool of two, in rounds taking turns. Wall time for the page's pictures, median of the rounds.
 */
async function benchCatalogMisses(): Promise<void> {
  const art = (await readdir(join(repositoryRoot, "site/catalog/art"))).filter((name) =>
    name.endsWith(".svg"),
  );
  const pageOnce = async (concurrency: number) => {
    const lambda = startLambdaEdgeFunction({
      name: "catalog-render",
      modulePath: join(import.meta.dirname, "catalog-render-handler.ts"),
      eventType: "origin-response",
      concurrency,
    });
    const queue = art.map((name) => `/img/catalog/${name}/w320.avif`);
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let uri = queue.shift(); uri; uri = queue.shift()) {
          const outcome = await lambda.invoke({
            config: {
              distributionDomainName: "d111111abcdef8.cloudfront.net",
              distributionId: "EBENCH",
              eventType: "origin-response",
              requestId: uri,
            },
            request: lambdaEdgeRequest({
              method: "GET",
              uri,
              rawQuery: "",
              headers: [],
              clientIp: "127.0.0.1",
            }),
            response: { status: "404", statusDescription: "Not Found", headers: {} },
          });
          if (outcome.type !== "response")
            failures.push(`${uri}: ${outcome.type === "error" ? outcome.reason : outcome.type}`);
        }
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(startedCpu);
    await lambda.close();
    if (failures.length > 0) console.log(`  ! ${failures.length} renders failed, e.g. ${failures[0]}`);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  };
  const settings = [1, 2] as const;
  const seconds = new Map<number, { wall: number; cpu: number }[]>(
    settings.map((concurrency) => [concurrency, []]),
  );
  for (let round = 0; round < rounds; round += 1)
    for (const concurrency of settings) seconds.get(concurrency)?.push(await pageOnce(concurrency));
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  console.log(
    `\nCold catalog page: ${art.length} picture misses (320 px AVIF), 6 at a time; ${rounds} rounds taking turns`,
  );
  // CPU over wall time says how many cores the renders had: near 1 with two environments, the shared
  // machine had no second core to give.
  for (const concurrency of settings) {
    const pages = seconds.get(concurrency) ?? [];
    const wall = median(pages.map((page) => page.wall));
    const cores = median(pages.map((page) => page.cpu / page.wall));
    console.log(
      `  ${`${concurrency} environment${concurrency > 1 ? "s" : ""}`.padEnd(15)} ${wall.toFixed(1).padStart(5)} s, ` +
        `${cores.toFixed(2)} cores busy (rounds: ${pages.map((page) => page.wall.toFixed(1)).join(", ")} s)`,
    );
  }
}

if (import.meta.main) await benchImages();
