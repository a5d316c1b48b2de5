// How a signature's optional colour and font look: class names the stylesheet defines, one place.
import type { SignatureView } from "../../origin/cards/views.ts";

/** The note's classes: the colour (ink by default) and the font (classic by default). */
export function noteClass(signature: Pick<SignatureView, "colour" | "font">): string {
  return `note note--${signature.colour ?? "ink"} note-font--${signature.font ?? "classic"}`;
}

export const colourLabels = {
  ink: "Ink",
  berry: "Berry",
  ocean: "Ocean",
  forest: "Forest",
  sunset: "Sunset",
  plum: "Plum",
} as const;

export const fontLabels = {
  classic: "Classic",
  modern: "Modern",
  handwritten: "Handwritten",
  marker: "Marker",
} as const;
