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
const runs = 5;
const width = 400;

/** A photograph stand-in: smooth shapes and gradients under sensor-like noise, 4000×3000, quality 90. */
async function twelveMegapixelJpeg(): Promise<Buffer> {
  const [w, h] = [4000, 3000];
  const scene = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
      <defs><linearGradient id="sky" x2="0" y2="1"><stop offset="0" stop-color="#5b8fd6"/><stop offset="1" stop-color="#f3d9b1"/></linearGradient></defs>
      <rect width="${w}" height="${h}" fill="url(#sky)" opacity="0.6"/>
      <circle cx="2900" cy="800" r="420" fill="#ffe08a" opacity="0.9"/>
      <path d="M0 2200 Q1000 1500 2000 2100 T4000 1900 V3000 H0Z" fill="#3f7a3a" opacity="0.6"/>
      <rect x="600" y="1500" width="900" height="1100" rx="60" fill="#b5533c" opacity="0.9"/>
    </svg>`,
  );
  return sharp({
    create: {
      width: w,
      height: h,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 24 },
    },
  })
    .composite([{ input: scene }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

const pipelines = {
  "resizer webp": `(input) => render(input, ${width}, "webp")`,
  "naive webp": `(input) => sharp(input).resize(${width}).webp().toBuffer()`,
  "resizer avif": `(input) => render(input, ${width}, "avif")`,
  "naive avif": `(input) => sharp(input).resize(${width}).avif().toBuffer()`,
} as const;

/** One pipeline, `runs` times, in a fresh process: median ms, output bytes, peak RSS in MB. */
async function measure(file: string, pipeline: string) {
  const script = `
    import { readFile } from "node:fs/promises";
    import sharp from "sharp";
    import { renderVariant as render } from ${JSON.stringify(pathToFileURL(join(repositoryRoot, "edge/image-render.ts")).href)};
    sharp.cache(false);
    const input = await readFile(${JSON.stringify(file)});
    const run = ${pipeline};
    const times = []; let bytes = 0;
    for (let i = 0; i < ${runs}; i++) {
      const start = performance.now();
      bytes = (await run(input)).length;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], bytes, peakMb: process.resourceUsage().maxRSS / 1024 }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: repositoryRoot,
    timeout: 300_000,
  });
  return JSON.parse(stdout) as { ms: number; bytes: number; peakMb: number };
}

export async function benchImages(): Promise<void> {
  console.log(`\nImages: 12 MP JPEG → ${width} px, median of ${runs}, each pipeline in its own process`);
  const folder = await mkdtemp(join(tmpdir(), "goodgreets-bench-images-"));
  try {
    const file = join(folder, "photo.jpg");
    const photo = await twelveMegapixelJpeg();
    await writeFile(file, photo);
    console.log(`  input ${(photo.length / 1024 / 1024).toFixed(1)} MB`);
    const results: Record<string, { ms: number; bytes: number; peakMb: number }> = {};
    for (const [name, pipeline] of Object.entries(pipelines)) {
      results[name] = await measure(file, pipeline);
      const { ms, bytes, peakMb } = results[name];
      console.log(
        `  ${name.padEnd(13)} ${ms.toFixed(0).padStart(6)} ms ${String(bytes).padStart(8)} bytes ${peakMb.toFixed(0).padStart(5)} MB peak`,
      );
    }
    const ratio = (a: string, b: string, key: "ms" | "bytes") =>
      ((results[a]?.[key] ?? 0) / (results[b]?.[key] ?? 1)).toFixed(2);
    console.log(
      `  webp time ×${ratio("resizer webp", "naive webp", "ms")} of naive (aim ≤ 1); ` +
        `avif time ×${ratio("resizer avif", "naive avif", "ms")} (aim ≤ 0.33), ` +
        `bytes ×${ratio("resizer avif", "naive avif", "bytes")} (aim ≤ 1.15); peak memory aim < 256 MB`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchImages();
