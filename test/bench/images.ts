// `npm run bench`, images: a 12-megapixel JPEG to a 400 px WebP and AVIF through the resizer's pipeline
// (edge/image-render.ts) and through a naive sharp pipeline, side by side in the same run. Each pipeline
// runs in its own Node process, so its peak resident memory (getrusage maxRSS) is its own.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";

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
  times: number[];
  bytes: number;
  peakMb: number;
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
    const times = []; let output;
    for (let i = 0; i < ${runsPerProcess}; i++) {
      const start = performance.now();
      output = await run(input);
      times.push(performance.now() - start);
    }
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const reference = await sharp(input).resize(${width}).removeAlpha().raw().toBuffer();
    const decoded = await sharp(output).removeAlpha().raw().toBuffer();
    let squares = 0;
    for (let i = 0; i < reference.length; i++) squares += (reference[i] - decoded[i]) ** 2;
    const psnrDb = 10 * Math.log10((255 * 255 * reference.length) / squares);
    console.log(JSON.stringify({ times, bytes: output.length, peakMb, psnrDb }));
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
      `${runsPerProcess} runs a round; median time`,
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
        const times = list.flatMap((sample) => sample.times).toSorted((a, b) => a - b);
        const first = list[0] as Sample;
        const result = {
          ms: times[Math.floor(times.length / 2)] ?? 0,
          bytes: first.bytes,
          psnrDb: first.psnrDb,
          peakMb: Math.max(...list.map((sample) => sample.peakMb)),
        };
        return [name, result] as const;
      }),
    );
    for (const [name, { ms, bytes, psnrDb, peakMb }] of results)
      console.log(
        `  ${name.padEnd(13)} ${ms.toFixed(0).padStart(6)} ms ${String(bytes).padStart(8)} bytes ` +
          `${psnrDb.toFixed(2).padStart(6)} dB PSNR ${peakMb.toFixed(0).padStart(5)} MB peak`,
      );
    const of = (name: Pipeline) => results.get(name) ?? { ms: 0, bytes: 0, psnrDb: 0, peakMb: 0 };
    const ratio = (a: Pipeline, b: Pipeline, key: "ms" | "bytes") => (of(a)[key] / of(b)[key]).toFixed(2);
    const dB = (a: Pipeline, b: Pipeline) => (of(a).psnrDb - of(b).psnrDb).toFixed(2);
    console.log(
      `  webp time ×${ratio("resizer webp", "naive webp", "ms")} of naive (aim ≤ 1), ` +
        `bytes ×${ratio("resizer webp", "naive webp", "bytes")}, PSNR ${dB("resizer webp", "naive webp")} dB; ` +
        `avif time ×${ratio("resizer avif", "naive avif", "ms")} (aim ≤ 0.33), ` +
        `bytes ×${ratio("resizer avif", "naive avif", "bytes")} (aim ≤ 1.15), PSNR ${dB("resizer avif", "naive avif")} dB; ` +
        "peak memory aim < 256 MB",
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchImages();
