// The image variants the product serves (widths, formats, the URI each lives at), shared by the
// viewer-request function, the resizer and the site's srcset, so the three can never disagree.
// Plain ES2020 on purpose: the edge build bundles it into a cloudfront-js-2.0 function.

/**
 * Originals over this many pixels are refused before decoding (a decompression bomb is a small file).
 * 50 MP takes any phone camera; sharp's own default is 268 MP.
 * https://sharp.pixelplumbing.com/api-constructor (limitInputPixels)
 */
export const maxInputPixels = 50_000_000;

/** Widths a variant may have; any other requested width is snapped to one of these. */
export const variantWidths = [160, 320, 480, 640, 960, 1280, 1920] as const;
export type VariantWidth = (typeof variantWidths)[number];

/** Best first: the first one the viewer accepts is served. JPEG is what every browser takes. */
export const variantFormats = ["avif", "webp", "jpeg"] as const;
export type VariantFormat = (typeof variantFormats)[number];

export const variantContentTypes: Record<VariantFormat, string> = {
  avif: "image/avif",
  webp: "image/webp",
  jpeg: "image/jpeg",
};

/** The width served when `w` is there but not a number. */
export const defaultVariantWidth: VariantWidth = 640;

/** The smallest allowlisted width at least as wide as asked, or the widest; not a number gives the default. */
export function snapWidth(requested: string): VariantWidth {
  const width = /^[0-9]{1,6}$/.test(requested) ? Number(requested) : Number.NaN;
  if (Number.isNaN(width)) return defaultVariantWidth;
  for (const allowed of variantWidths) if (allowed >= width) return allowed;
  return variantWidths[variantWidths.length - 1] as VariantWidth;
}

/** The best format the Accept header names (a q=0 entry refuses it); JPEG when it names neither. */
export function formatFromAccept(accept: string): VariantFormat {
  const accepted: string[] = [];
  for (const entry of accept.split(",")) {
    const parts = entry.split(";");
    const type = (parts[0] ?? "").trim().toLowerCase();
    let refused = false;
    for (let i = 1; i < parts.length; i++)
      if (/^\s*q\s*=\s*0(\.0{0,3})?\s*$/i.test(parts[i] ?? "")) refused = true;
    if (!refused) accepted.push(type);
  }
  for (const format of variantFormats)
    if (accepted.indexOf(variantContentTypes[format]) !== -1) return format;
  return "jpeg";
}

/**
 * An image path the edge accepts: /img/ then segments of letters, digits, `_`, `-` and `.`, none starting
 * with a dot (so no `..`), no empty segment, no encoded characters. Anything else is refused with a 400.
 */
export function isImagePath(uri: string): boolean {
  if (uri.indexOf("/img/") !== 0 || uri.length > 512) return false;
  const segments = uri.slice(5).split("/");
  for (const segment of segments) if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(segment)) return false;
  return true;
}

/** Where a variant of the picture at `originalPath` lives: `/img/<key>/w<width>.<format>`. */
export function variantPath(originalPath: string, width: VariantWidth, format: VariantFormat): string {
  return `${originalPath}/w${width}.${format}`;
}

export interface ParsedVariant {
  originalPath: string;
  width: VariantWidth;
  format: VariantFormat;
}

/** The variant a path names, or undefined when it names none (an off-list width names none). */
export function parseVariantPath(path: string): ParsedVariant | undefined {
  const slash = path.lastIndexOf("/");
  const name = /^w([0-9]{1,5})\.([a-z]{3,4})$/.exec(path.slice(slash + 1));
  if (!name || slash < 5 || !isImagePath(path)) return undefined;
  const width = Number(name[1]) as VariantWidth;
  const format = name[2] as VariantFormat;
  if (variantWidths.indexOf(width) === -1 || variantFormats.indexOf(format) === -1) return undefined;
  return { originalPath: path.slice(0, slash), width, format };
}

/** The `srcset` of a picture, in the `?w=` form pages use; the edge picks the format from Accept. */
export function imageSrcset(originalPath: string, widths: readonly VariantWidth[] = variantWidths): string {
  return widths.map((width) => `${originalPath}?w=${width} ${width}w`).join(", ");
}

/** A `src` for browsers without srcset: one allowlisted width. */
export function imageSrc(originalPath: string, width: VariantWidth = defaultVariantWidth): string {
  return `${originalPath}?w=${width}`;
}
