// The attributes of a picture served in variants: srcset from the edge's allowlist, the sizes the layout
// gives it, and the original as src for anything that ignores srcset. The edge picks the format.
import { imageSrcset, type VariantWidth, variantWidths } from "../../edge/image-variants.ts";

export interface ResponsiveImage {
  src: string;
  srcset: string;
  sizes: string;
}

/**
 * `path` is the original's /img/ path; `sizes` the layout's CSS width of the picture; `maxWidth` the widest
 * variant worth offering (a picture never shown wider than its layout on a 2× screen needs no more).
 */
export function responsiveImage(path: string, sizes: string, maxWidth: VariantWidth = 1280): ResponsiveImage {
  const widths = variantWidths.filter((width) => width <= maxWidth);
  return { src: path, srcset: imageSrcset(path, widths), sizes };
}
