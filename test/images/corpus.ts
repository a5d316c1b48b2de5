// Images and attacks made by the tests themselves: genuine pictures in each format, and the hostile files
// an upload or an original may be (wrong type, polyglot, script-bearing SVG, truncated, bomb, animation).
import { crc32 } from "node:zlib";
import sharp from "sharp";

/** A small picture with some structure, so encoders have something to do. */
export const photo = (width: number, height: number) =>
  sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 120, b: 60 } },
  }).composite([
    {
      input: Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#2a6"/></svg>`,
      ),
    },
  ]);

export const jpeg = (width = 800, height = 600) => photo(width, height).jpeg().toBuffer();
export const png = (width = 800, height = 600) => photo(width, height).png().toBuffer();

/** A JPEG whose EXIF says "rotate 90° clockwise to view" (orientation 6), with a GPS-like comment. */
export const rotatedJpeg = () =>
  photo(800, 600)
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { ImageDescription: "taken at home" } })
    .toBuffer();

/** Noise compresses badly: a wide variant of it is over a megabyte. */
export const noisyJpeg = (width: number, height: number) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 60 },
    },
  })
    .jpeg({ quality: 100 })
    .toBuffer();

/** A two-frame animated GIF: red then blue. */
export const animatedGif = async () => {
  const frame = (r: number, b: number) =>
    sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g: 0, b } } })
      .raw()
      .toBuffer();
  const frames = Buffer.concat([await frame(255, 0), await frame(0, 255)]);
  return sharp(frames, { raw: { width: 64, height: 128, channels: 3, pageHeight: 64 } })
    .gif({ delay: [100, 100], loop: 0 })
    .toBuffer();
};

/** A PNG that claims width×height in its header but carries only a tiny picture: a decompression bomb. */
export async function bombPng(width = 60_000, height = 60_000): Promise<Buffer> {
  const bytes = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
      .png()
      .toBuffer(),
  );
  // The IHDR chunk: length (4) "IHDR" (4) width (4) height (4) ... then its CRC over type and data.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

/** The first half of a JPEG: the decoder runs out of data mid-scan. */
export const truncatedJpeg = async () => {
  const whole = await noisyJpeg(400, 300);
  return whole.subarray(0, Math.floor(whole.length / 2));
};

export const htmlWithJpegName = () => Buffer.from("<!doctype html><script>alert(document.cookie)</script>\n");

/** A real JPEG with an HTML document appended after its end-of-image marker. */
export const jpegHtmlPolyglot = async () =>
  Buffer.concat([await jpeg(64, 64), Buffer.from("<html><script>alert(document.cookie)</script></html>")]);

export const scriptSvg = () =>
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
  );
