// How a variant is rendered from an original with sharp: the settings the resizer uses and the bench measures.
import sharp from "sharp";
import { maxInputPixels, type VariantFormat } from "./image-variants.ts";

/**
 * AVIF effort 0–9 (sharp's default 4; https://sharp.pixelplumbing.com/api-output#avif). On the bench's
 * 12 MP photograph (test/bench/images.ts) 2 takes about a fifth of the default's CPU time for 8% more
 * bytes and 0.3 dB less PSNR at the same quality; the default's PSNR costs 14% more bytes at 2 (quality 52).
 * 3 matched the default's bytes but took 0.26–0.35 of its time: too close to the aim of a third.
 */
export const avifEffort = 2;
/** Quality per format; the bench's naive pipeline uses the same, so bytes compare like for like. */
export const variantQuality = { avif: 50, webp: 75, jpeg: 78 } as const;

/** SVG art is rasterised at the density that gives the target width directly, not scaled up from 72 dpi. */
const maxSvgDensity = 2400;

// Lambda reuses an environment for many requests: libvips' operation cache only holds memory there.
sharp.cache(false);

/**
 * The variant's bytes. failOn "error": a truncated or corrupt image fails (no half-grey picture is ever
 * stored), while warnings that cameras routinely produce are tolerated. Only the first frame of an
 * animation is read (pages: 1). Orientation from EXIF is applied, then all metadata dropped (sharp keeps
 * none unless asked).
 */
export async function renderVariant(
  original: Buffer,
  /** An allowlisted width in the product; any width in the bench. */
  width: number,
  format: VariantFormat,
): Promise<Buffer> {
  const input = { limitInputPixels: maxInputPixels, failOn: "error", pages: 1 } as const;
  const metadata = await sharp(original, input).metadata();
  const density =
    metadata.format === "svg" && metadata.width
      ? Math.min(maxSvgDensity, Math.max(1, (72 * width) / metadata.width))
      : undefined;
  const pipeline = sharp(original, { ...input, ...(density ? { density } : {}) })
    .autoOrient()
    .resize({ width, withoutEnlargement: true });
  if (format === "avif")
    return pipeline.avif({ effort: avifEffort, quality: variantQuality.avif }).toBuffer();
  if (format === "webp") return pipeline.webp({ quality: variantQuality.webp }).toBuffer();
  // JPEG has no alpha: transparent art is laid on white, as the pages show it.
  return pipeline
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: variantQuality.jpeg, mozjpeg: true })
    .toBuffer();
}
