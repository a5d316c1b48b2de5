// A QR code of a link as inline SVG: lean-qr works out the modules, one SVG path draws the dark ones.
import { generate } from "lean-qr/nano";

interface Props {
  /** What the code encodes: the sign link. */
  text: string;
  /** Read by screen readers instead of the picture. */
  label: string;
}

/** One SVG path of unit squares, one "M x y h1 v1 h-1 z" per dark module, inside a 4-module quiet zone. */
export function qrPath(text: string): { d: string; size: number } {
  const code = generate(text);
  let d = "";
  for (let y = 0; y < code.size; y += 1)
    for (let x = 0; x < code.size; x += 1) if (code.get(x, y)) d += `M${x + 4} ${y + 4}h1v1h-1z`;
  return { d, size: code.size + 8 };
}

export function QrCode({ text, label }: Props) {
  const { d, size } = qrPath(text);
  return (
    <svg
      class="qr-code"
      viewBox={`0 0 ${size} ${size}`}
      width="200"
      height="200"
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
