// What makes an uploaded file acceptable as a card design: judged by its content, never its name or
// declared type: known magic bytes, nothing but the picture in the file, decodable to the end, within the
// pixel and byte limits. Each refusal names the problem and says what to do.
import { maxInputPixels } from "../../edge/image-variants.ts";
import { maxUploadBytes } from "./upload-limits.ts";

// sharp is native and heavy: loaded on the first upload check, so the API's cold start and every other
// route never pay for it (and a bundle runs where sharp's binary is not installed until it is needed).
const loadSharp = async () => (await import("sharp")).default;

export { maxUploadBytes } from "./upload-limits.ts";

export type UploadFormat = "jpeg" | "png" | "webp" | "gif" | "avif";

export type UploadVerdict =
  | { ok: true; format: UploadFormat; width: number; height: number; animated: boolean }
  | { ok: false; problem: string; message: string };

const refuse = (problem: string, message: string): UploadVerdict => ({ ok: false, problem, message });

/** The format the first bytes announce, or undefined. */
export function sniffFormat(bytes: Buffer): UploadFormat | undefined {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString("latin1");
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "png";
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return "gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (ascii(4, 8) === "ftyp" && ["avif", "avis"].includes(ascii(8, 12))) return "avif";
  return undefined;
}

/** Markup a browser or a server would act on, anywhere in the file: one linear scan. */
const activeContent = /<(?:script|html|body|iframe|svg|object|embed)\b|<\?php|javascript:/i;

/** sharp's names for what it decoded, in our words (AVIF is read by libheif). */
const decodedAs: Record<string, UploadFormat> = {
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
  gif: "gif",
  heif: "avif",
};

export async function checkUpload(bytes: Buffer): Promise<UploadVerdict> {
  if (bytes.length === 0) return refuse("empty", "The file is empty. Choose a picture file.");
  if (bytes.length > maxUploadBytes)
    return refuse(
      "too_large",
      `The file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the most is ${maxUploadBytes / 1024 / 1024} MB. Save it smaller and try again.`,
    );
  const format = sniffFormat(bytes);
  if (!format) {
    const head = bytes.subarray(0, 1024).toString("latin1");
    if (/<svg\b|<\?xml/i.test(head))
      return refuse(
        "svg_not_accepted",
        "SVG drawings can carry scripts, so they are not taken as uploads. Export it as PNG or JPEG and upload that.",
      );
    return refuse(
      "not_an_image",
      "This file is not a JPEG, PNG, WebP, GIF or AVIF picture, whatever its name says. Choose a picture file.",
    );
  }
  // latin1 maps each byte to one character, so the scan sees the file as it is, in time linear in its size.
  if (activeContent.test(bytes.toString("latin1")))
    return refuse(
      "hidden_content",
      "The file holds web page or script text as well as a picture. Open it in a photo app, save it again as a plain picture and upload that.",
    );
  let width: number;
  let height: number;
  let pages: number;
  let decoded: string;
  const sharp = await loadSharp();
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = metadata.width ?? 0;
    height = metadata.height ?? 0;
    pages = metadata.pages ?? 1;
    decoded = metadata.format ?? "";
  } catch {
    return refuse(
      "unreadable",
      "The picture cannot be read; it may be damaged. Save it again and upload that.",
    );
  }
  if (decodedAs[decoded] !== format)
    return refuse(
      "not_an_image",
      "The file’s content does not match a picture format. Choose a picture file.",
    );
  if (width * height > maxInputPixels)
    return refuse(
      "too_many_pixels",
      `The picture is ${width}×${height}; the most is ${maxInputPixels / 1_000_000} megapixels. Make it smaller and try again.`,
    );
  try {
    // Decoding every row catches a truncated or corrupt file that a header alone would pass.
    await sharp(bytes, { limitInputPixels: maxInputPixels, failOn: "error", pages: 1 })
      .resize(64)
      .raw()
      .toBuffer();
  } catch {
    return refuse(
      "damaged",
      "The picture is damaged or cut short, so it cannot be shown. Save it again and upload that.",
    );
  }
  return { ok: true, format, width, height, animated: pages > 1 };
}
