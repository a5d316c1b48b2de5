// Draws the catalog's card fronts as SVG: one deterministic picture per design, pure and seeded by slug.
import { cardFrontSize, type Design } from "./designs.ts";

/** The CC0 notice shipped next to the art: we drew every picture, so we can give it away. */
export const artLicence = `GoodGreets catalog artwork (site/catalog/art/*.svg)

Every picture in this folder was drawn by the GoodGreets project, by code, with
scripts/generate-catalog-art.ts (the shapes live in site/catalog/artwork.ts).
No third-party artwork, fonts or clip art is embedded.

To the extent possible under law, the GoodGreets contributors have waived all
copyright and related or neighbouring rights to these pictures, under
Creative Commons CC0 1.0 Universal:
https://creativecommons.org/publicdomain/zero/1.0/
`;

const { width: W, height: H } = cardFrontSize;

/** Escapes text for SVG/XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** A short decimal: keeps the files small and the output identical on every machine. */
function n(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** mulberry32 seeded from the slug, so a design's scattered shapes never move between runs. */
function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ (char.codePointAt(0) ?? 0), 16777619);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a motif draws with: seeded chance and the shared shapes it may reference. */
interface Pen {
  between(low: number, high: number): number;
  pick<T>(choices: readonly T[]): T;
  /** A heart about 2×size wide, centred on (x, y); a pair of sizes squashes it. */
  heart(x: number, y: number, size: number | readonly [number, number], fill: string, extra?: string): string;
}

interface CardFrontArt {
  readonly background: readonly [top: string, bottom: string];
  readonly ink: string;
  readonly font: "serif" | "sans";
  readonly greeting: readonly string[];
  /** Vertical centre of the greeting; the lower part of the card unless the motif needs it. */
  readonly greetingCentre?: number;
  readonly motif: (pen: Pen) => string;
}

const fontStacks = {
  serif: "Georgia, 'Times New Roman', 'DejaVu Serif', serif",
  sans: "'Trebuchet MS', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif",
} as const;

const heartPath = "M0 .85C-.95 .2-1.05-.45-.55-.7-.25-.85 0-.62 0-.4 0-.62.25-.85.55-.7 1.05-.45.95.2 0 .85Z";

// Shapes shared by several motifs.

function star(x: number, y: number, radius: number, fill: string, points = 5, inner = 0.45): string {
  const corners: string[] = [];
  for (let index = 0; index < points * 2; index += 1) {
    const angle = (Math.PI * index) / points - Math.PI / 2;
    const reach = index % 2 === 0 ? radius : radius * inner;
    corners.push(`${n(x + reach * Math.cos(angle))} ${n(y + reach * Math.sin(angle))}`);
  }
  return `<path d="M${corners.join("L")}Z" fill="${fill}"/>`;
}

function confetti(
  pen: Pen,
  colours: readonly string[],
  count: number,
  area: { x: number; y: number; w: number; h: number },
): string {
  let shapes = "";
  for (let index = 0; index < count; index += 1) {
    const x = area.x + pen.between(0, area.w);
    const y = area.y + pen.between(0, area.h);
    const fill = pen.pick(colours);
    if (index % 3 === 0)
      shapes += `<circle cx="${n(x)}" cy="${n(y)}" r="${n(pen.between(3, 6))}" fill="${fill}"/>`;
    else
      shapes += `<rect x="${n(x)}" y="${n(y)}" width="12" height="5" rx="1" fill="${fill}" transform="rotate(${Math.round(pen.between(0, 180))} ${n(x)} ${n(y)})"/>`;
  }
  return shapes;
}

function cloud(x: number, y: number, scale: number, fill = "#fff"): string {
  return `<g fill="${fill}" transform="translate(${n(x)} ${n(y)}) scale(${scale})"><circle cx="-28" cy="4" r="22"/><circle cx="4" cy="-10" r="30"/><circle cx="34" cy="6" r="20"/><rect x="-50" y="4" width="104" height="22" rx="11"/></g>`;
}

function flower(x: number, y: number, radius: number, petal: string, centre: string, petals = 6): string {
  let shapes = "";
  for (let index = 0; index < petals; index += 1) {
    const angle = (360 / petals) * index;
    shapes += `<ellipse cx="${n(x)}" cy="${n(y - radius * 0.55)}" rx="${n(radius * 0.38)}" ry="${n(radius * 0.55)}" fill="${petal}" transform="rotate(${n(angle)} ${n(x)} ${n(y)})"/>`;
  }
  return `${shapes}<circle cx="${n(x)}" cy="${n(y)}" r="${n(radius * 0.35)}" fill="${centre}"/>`;
}

function leaf(x: number, y: number, length: number, angle: number, fill: string): string {
  const half = length / 2;
  return `<path d="M0 0Q${n(half)} ${n(-length / 3.2)} ${n(length)} 0Q${n(half)} ${n(length / 3.2)} 0 0Z" fill="${fill}" transform="translate(${n(x)} ${n(y)}) rotate(${n(angle)})"/>`;
}

/** Triangle flags hanging from a sagging string between two points. */
function bunting(
  from: readonly [number, number],
  to: readonly [number, number],
  sag: number,
  colours: readonly string[],
  flags: number,
  string: string,
): string {
  const [x1, y1] = from;
  const [x2, y2] = to;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2 + sag * 2;
  const at = (t: number) =>
    [
      (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t ** 2 * x2,
      (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t ** 2 * y2,
    ] as const;
  let shapes = `<path d="M${n(x1)} ${n(y1)}Q${n(cx)} ${n(cy)} ${n(x2)} ${n(y2)}" fill="none" stroke="${string}" stroke-width="2"/>`;
  for (let index = 0; index < flags; index += 1) {
    const [ax, ay] = at((index + 0.12) / flags);
    const [bx, by] = at((index + 0.88) / flags);
    const length = Math.hypot(bx - ax, by - ay) * 1.15;
    const mx = (ax + bx) / 2;
    const my = (ay + by) / 2;
    shapes += `<path d="M${n(ax)} ${n(ay)}L${n(bx)} ${n(by)}L${n(mx)} ${n(my + length)}Z" fill="${colours[index % colours.length]}"/>`;
  }
  return shapes;
}

function burst(x: number, y: number, radius: number, colour: string, rays: number): string {
  let lines = "";
  let dots = "";
  for (let index = 0; index < rays; index += 1) {
    const angle = (Math.PI * 2 * index) / rays;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    lines += `M${n(x + cos * radius * 0.3)} ${n(y + sin * radius * 0.3)}L${n(x + cos * radius)} ${n(y + sin * radius)}`;
    dots += `<circle cx="${n(x + cos * radius * 1.14)}" cy="${n(y + sin * radius * 1.14)}" r="${n(radius / 22)}"/>`;
  }
  return `<path d="${lines}" stroke="${colour}" stroke-width="4" stroke-linecap="round"/><g fill="${colour}">${dots}</g>`;
}

function sparkle(x: number, y: number, radius: number, fill: string): string {
  return star(x, y, radius, fill, 4, 0.3);
}

/** A bow: two loops, a knot and two tails. */
function bow(x: number, y: number, scale: number, fill: string): string {
  return `<g fill="${fill}" transform="translate(${n(x)} ${n(y)}) scale(${scale})"><path d="M0 0C-30-28-52-8-40 10-30 22-10 10 0 0ZM0 0C30-28 52-8 40 10 30 22 10 10 0 0ZM-4 4-22 44-10 40-2 50 2 6ZM4 4 22 44 10 40 2 50-2 6Z"/><circle r="8"/></g>`;
}

function crescent(id: string, x: number, y: number, radius: number, fill: string, dx: number, dy: number) {
  return `<mask id="${id}"><circle cx="${n(x)}" cy="${n(y)}" r="${n(radius)}" fill="#fff"/><circle cx="${n(x + dx)}" cy="${n(y + dy)}" r="${n(radius * 0.92)}" fill="#000"/></mask><circle cx="${n(x)}" cy="${n(y)}" r="${n(radius)}" fill="${fill}" mask="url(#${id})"/>`;
}

function footprint(x: number, y: number, mirror: boolean, fill: string): string {
  const flip = mirror ? -1.7 : 1.7;
  const toes = [
    [-14, -48, 8],
    [2, -52, 7],
    [15, -47, 6],
    [25, -38, 5],
    [31, -27, 4.5],
  ] as const;
  const toeShapes = toes.map(([tx, ty, r]) => `<circle cx="${n(tx)}" cy="${n(ty)}" r="${n(r)}"/>`).join("");
  return `<g fill="${fill}" transform="translate(${n(x)} ${n(y)}) scale(${flip} 1.7)"><path d="M-4-36C22-38 30-10 22 14 16 34 10 50-6 50-22 50-26 30-22 10-18-8-30-34-4-36Z"/>${toeShapes}</g>`;
}

function roseHead(x: number, y: number, radius: number): string {
  const r = radius;
  return `<circle cx="${n(x)}" cy="${n(y)}" r="${n(r)}" fill="#c9184a"/><path d="M${n(x - 0.6 * r)} ${n(y + 0.1 * r)}A${n(0.6 * r)} ${n(0.6 * r)} 0 1 1 ${n(x + 0.1 * r)} ${n(y + 0.6 * r)}M${n(x - 0.28 * r)} ${n(y)}A${n(0.3 * r)} ${n(0.3 * r)} 0 1 1 ${n(x + 0.05 * r)} ${n(y + 0.3 * r)}" fill="none" stroke="#800f2f" stroke-width="3" stroke-linecap="round"/>`;
}

function hotAirBalloon(body: string, stripe: string): string {
  return `<path d="M250 70C340 70 372 150 342 228 322 280 282 298 272 322H228C218 298 178 280 158 228 128 150 160 70 250 70Z" fill="${body}"/><path d="M250 70C292 92 300 210 266 322H234C200 210 208 92 250 70Z" fill="${stripe}"/><path d="M232 322 236 356M268 322 264 356" stroke="#6b4226" stroke-width="3"/><rect x="228" y="352" width="44" height="34" rx="5" fill="#8d5524"/>`;
}

function flute(x: number, y: number, angle: number): string {
  return `<g transform="translate(${n(x)} ${n(y)}) rotate(${angle}) scale(1.25)"><path d="M-28-150H28L22-40Q0-18-22-40Z" fill="#fff" fill-opacity=".15" stroke="#fff" stroke-width="3"/><path d="M-25.5-115H25.5L22-40Q0-18-22-40Z" fill="#f5d67b"/><g fill="#fff8dc"><circle cx="-6" cy="-60" r="3"/><circle cx="7" cy="-80" r="2.5"/><circle cx="-3" cy="-98" r="2"/></g><path d="M0-28V58" stroke="#fff" stroke-width="5"/><ellipse cy="60" rx="30" ry="7" fill="#fff"/></g>`;
}

const birthdayColours = ["#e63946", "#ffb703", "#2a9d8f", "#7b2cbf", "#219ebc"] as const;
const weddingGold = "#c9a227";

/** The picture of every design, by slug. */
const cardFronts: Record<string, CardFrontArt> = {
  "balloon-bunch": {
    background: ["#fff6e5", "#ffe1c7"],
    ink: "#5a2a6e",
    font: "serif",
    greeting: ["Happy", "Birthday"],
    motif: (pen) => {
      const balloons = [
        [250, 120, "#ffb703"],
        [150, 160, "#e63946"],
        [350, 160, "#2a9d8f"],
        [200, 250, "#7b2cbf"],
        [305, 245, "#219ebc"],
      ] as const;
      let strings = "";
      let shapes = "";
      for (const [x, y, fill] of balloons) {
        strings += `M${x} ${y + 60}C${n(x + 18)} ${n(y + 110)} ${n((x + 250) / 2 - 14)} ${n((y + 400) / 2 + 40)} 250 400`;
        shapes += `<ellipse cx="${x}" cy="${y}" rx="46" ry="56" fill="${fill}"/><path d="M${x - 7} ${y + 63}H${x + 7}L${x} ${y + 53}Z" fill="${fill}"/><ellipse cx="${x - 17}" cy="${y - 22}" rx="8" ry="15" fill="#fff" opacity=".45" transform="rotate(25 ${x - 17} ${y - 22})"/>`;
      }
      return `${confetti(pen, birthdayColours, 30, { x: 30, y: 30, w: 440, h: 420 })}<path d="${strings}" fill="none" stroke="#5a2a6e" stroke-opacity=".55" stroke-width="2"/>${shapes}${bow(250, 400, 0.6, "#e63946")}`;
    },
  },
  "candles-and-cake": {
    background: ["#fff8f0", "#fde4ec"],
    ink: "#7a2e4a",
    font: "serif",
    greeting: ["Happy", "Birthday"],
    motif: (pen) => {
      const layers = [
        [100, 320, 300, 100, "#f08bb0"],
        [130, 240, 240, 85, "#f7c3d4"],
        [165, 170, 170, 75, "#f08bb0"],
      ] as const;
      let cake = `<ellipse cx="250" cy="422" rx="175" ry="20" fill="#e8d5c4"/>`;
      for (const [x, y, w, h, fill] of layers) {
        const scallops = Math.round(w / 30);
        const step = w / scallops;
        let icing = `M${x} ${y + 6}Q${x} ${y} ${x + 6} ${y}H${x + w - 6}Q${x + w} ${y} ${x + w} ${y + 6}V${y + 18}`;
        for (let index = 0; index < scallops; index += 1) icing += `q${n(-step / 2)} 18 ${n(-step)} 0`;
        cake += `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10" fill="${fill}"/><path d="${icing}Z" fill="#fffaf5"/>`;
      }
      for (let index = 0; index < 9; index += 1)
        cake += `<circle cx="${n(120 + index * 32.5)}" cy="385" r="5" fill="${birthdayColours[index % 5]}"/>`;
      for (let index = 0; index < 5; index += 1) {
        const x = 190 + index * 30;
        cake += `<rect x="${x - 5}" y="126" width="10" height="46" rx="3" fill="${birthdayColours[(index + 2) % 5]}"/><path d="M${x} 92C${x + 9} 104 ${x + 7} 118 ${x} 119 ${x - 7} 118 ${x - 9} 104 ${x} 92Z" fill="#ffb703"/><path d="M${x} 104C${x + 4} 110 ${x + 3} 116 ${x} 117 ${x - 3} 116 ${x - 4} 110 ${x} 104Z" fill="#fff3b0"/>`;
      }
      let stars = "";
      for (let index = 0; index < 8; index += 1)
        stars += star(
          pen.between(40, 460),
          pen.between(40, 90) + (index % 2) * 120,
          pen.between(7, 12),
          "#ffb703",
        );
      return stars + cake;
    },
  },
  "party-bunting": {
    background: ["#e3f4fb", "#cfeaf7"],
    ink: "#1d3557",
    font: "sans",
    greeting: ["Happy", "Birthday"],
    motif: (pen) =>
      `${bunting([16, 60], [484, 60], 40, birthdayColours, 9, "#1d3557")}${bunting([16, 150], [484, 130], 30, ["#ffb703", "#7b2cbf", "#e63946", "#2a9d8f"], 8, "#1d3557")}${confetti(pen, birthdayColours, 26, { x: 40, y: 210, w: 420, h: 230 })}<rect x="185" y="300" width="130" height="120" rx="6" fill="#e63946"/><rect x="175" y="276" width="150" height="34" rx="6" fill="#f25c67"/><rect x="240" y="276" width="20" height="144" fill="#ffb703"/>${bow(250, 274, 0.9, "#ffb703")}`,
  },
  "starry-birthday": {
    background: ["#0f1b3d", "#2b3f73"],
    ink: "#ffd966",
    font: "serif",
    greeting: ["Happy", "Birthday"],
    motif: (pen) => {
      let stars = crescent("moon", 340, 170, 70, "#ffe8a3", 30, -20);
      for (let index = 0; index < 16; index += 1) {
        const x = 40 + (index % 4) * 105 + pen.between(0, 80);
        const y = 50 + Math.floor(index / 4) * 95 + pen.between(0, 60);
        if (Math.hypot(x - 340, y - 170) < 95) continue;
        stars += star(x, y, pen.between(6, 16), pen.pick(["#ffd966", "#fff4c2", "#ffe08a"]));
      }
      for (let index = 0; index < 24; index += 1)
        stars += `<circle cx="${n(pen.between(30, 470))}" cy="${n(pen.between(30, 670))}" r="${n(pen.between(1, 2.5))}" fill="#fff" opacity=".8"/>`;
      return stars;
    },
  },
  "bits-and-bobs": {
    background: ["#fff1e6", "#ffdcc7"],
    ink: "#8c2f39",
    font: "serif",
    greeting: ["Thank", "You"],
    greetingCentre: 350,
    motif: (pen) => {
      const colours = ["#e76f51", "#f4a261", "#84a98c", "#d1495b"] as const;
      let shapes = "";
      for (let row = 0; row < 9; row += 1) {
        for (let column = 0; column < 5; column += 1) {
          const y = 58 + row * 73 + pen.between(-12, 12);
          if (y > 240 && y < 460) continue;
          const x = 66 + column * 92 + pen.between(-18, 18);
          const fill = pen.pick(colours);
          const kind = (row + column * 2) % 4;
          if (kind === 0) shapes += pen.heart(x, y, pen.between(16, 22), fill);
          else if (kind === 1)
            shapes += `<circle cx="${n(x)}" cy="${n(y)}" r="${n(pen.between(7, 12))}" fill="${fill}"/>`;
          else if (kind === 2)
            shapes += `<path d="M${n(x)} ${n(y + 22)}Q${n(x + 4)} ${n(y)} ${n(x - 2)} ${n(y - 20)}" fill="none" stroke="#6b9080" stroke-width="3"/>${leaf(x + 1, y + 8, 22, -30, "#84a98c")}${leaf(x, y - 2, 22, 200, "#84a98c")}`;
          else shapes += star(x, y, pen.between(12, 17), fill);
        }
      }
      return `${shapes}<path d="M140 262H360M140 444H360" stroke="#8c2f39" stroke-opacity=".35" stroke-width="2" stroke-dasharray="2 8" stroke-linecap="round"/>`;
    },
  },
  "thank-you-bouquet": {
    background: ["#fef6e4", "#f9e0d0"],
    ink: "#7b3f2b",
    font: "serif",
    greeting: ["Thank You"],
    motif: () => {
      const blooms = [
        [250, 120, 46, "#e76f51"],
        [175, 160, 40, "#f4a261"],
        [325, 160, 40, "#ef8fa8"],
        [135, 240, 36, "#ef8fa8"],
        [365, 240, 36, "#f4a261"],
        [210, 225, 38, "#ffd166"],
        [292, 225, 38, "#e76f51"],
      ] as const;
      let stems = "";
      let leaves = "";
      let heads = "";
      for (const [x, y, radius, petal] of blooms) {
        stems += `M${x} ${y}Q${n((x + 250) / 2)} ${n(y + 120)} 250 380`;
        leaves += leaf((x + 250) / 2, (y + 360) / 2, 38, x < 250 ? 200 : x > 250 ? -20 : -60, "#6a994e");
        heads += flower(x, y, radius, petal, "#fff3b0", 7);
      }
      return `<path d="${stems}" fill="none" stroke="#4f772d" stroke-width="5"/>${leaves}${heads}<path d="M185 330H315L268 460H232Z" fill="#f2cc8f"/><path d="M185 330H315L300 372H200Z" fill="#e9b872"/>${bow(250, 370, 0.9, "#d1495b")}`;
    },
  },
  "heartfelt-thanks": {
    background: ["#fde2e4", "#fad2d6"],
    ink: "#fff",
    font: "serif",
    greeting: ["Thank", "You"],
    greetingCentre: 330,
    motif: (pen) => {
      let ring = "";
      for (let index = 0; index < 16; index += 1) {
        const angle = (Math.PI * 2 * index) / 16;
        ring += pen.heart(
          250 + 205 * Math.cos(angle),
          340 + 285 * Math.sin(angle),
          16,
          index % 2 === 0 ? "#e5383b" : "#f28482",
        );
      }
      return `${ring}${pen.heart(250, 330, 200, "#d62839")}`;
    },
  },
  "thanks-a-latte": {
    background: ["#f5ebe0", "#e3d5ca"],
    ink: "#5e3b2e",
    font: "serif",
    greeting: ["Thanks", "a Latte"],
    motif: (pen) =>
      `<path d="M200 190C180 160 220 140 200 110M250 185C230 150 270 130 250 95M300 190C280 160 320 140 300 110" fill="none" stroke="#8d6e63" stroke-opacity=".55" stroke-width="6" stroke-linecap="round"/><ellipse cx="250" cy="402" rx="160" ry="28" fill="#fff" stroke="#d7c4b7" stroke-width="3"/><path d="M340 275C420 270 420 360 330 360" fill="none" stroke="#6fb3b8" stroke-width="18"/><path d="M148 240H352Q348 392 250 398 152 392 148 240Z" fill="#6fb3b8"/><ellipse cx="250" cy="240" rx="102" ry="22" fill="#c89f7a"/>${pen.heart(250, 240, [20, 10], "#fff8ef")}<path d="M170 300H330" stroke="#fff" stroke-opacity=".5" stroke-width="8" stroke-linecap="round"/>`,
  },
  "gold-trophy": {
    background: ["#fffaf0", "#fbe7c6"],
    ink: "#14213d",
    font: "serif",
    greeting: ["Congrats!"],
    motif: (pen) =>
      `${confetti(pen, ["#ef476f", "#06d6a0", "#118ab2", "#e9b949"], 34, { x: 30, y: 30, w: 440, h: 420 })}<path d="M172 140C105 140 112 230 192 238M328 140C395 140 388 230 308 238" fill="none" stroke="#d4a017" stroke-width="14"/><path d="M165 100H335Q335 262 250 284 165 262 165 100Z" fill="#e9b949"/><path d="M190 110H215Q212 220 240 270 192 250 190 110Z" fill="#fff3c4" opacity=".6"/>${star(250, 175, 34, "#fff3c4")}<rect x="236" y="282" width="28" height="50" fill="#d4a017"/><rect x="190" y="330" width="120" height="30" rx="6" fill="#b8860b"/><rect x="168" y="360" width="164" height="42" rx="4" fill="#14213d"/><rect x="215" y="372" width="70" height="18" rx="3" fill="#e9b949"/>`,
  },
  "fireworks-night": {
    background: ["#0b132b", "#1c2541"],
    ink: "#ffd166",
    font: "sans",
    greeting: ["Well", "Done"],
    motif: (pen) => {
      let sky = "";
      for (let index = 0; index < 30; index += 1)
        sky += `<circle cx="${n(pen.between(30, 470))}" cy="${n(pen.between(30, 670))}" r="${n(pen.between(1, 2.2))}" fill="#fff" opacity=".7"/>`;
      return `${sky}<path d="M160 440Q150 320 160 180M340 440Q350 300 340 140M300 440Q290 380 300 305" stroke="#fff" stroke-opacity=".2" stroke-width="3" stroke-dasharray="4 10" fill="none"/>${burst(160, 180, 95, "#ef476f", 16)}${burst(340, 140, 72, "#06d6a0", 14)}${burst(305, 305, 80, "#ffd166", 16)}${burst(125, 345, 48, "#8ecae6", 12)}${sparkle(420, 260, 12, "#fff")}${sparkle(60, 90, 10, "#fff")}`;
    },
  },
  "pop-the-bubbly": {
    background: ["#fdf6e3", "#f6e7c1"],
    ink: "#1b4332",
    font: "serif",
    greeting: ["Cheers", "to You!"],
    motif: (pen) => {
      let bubbles = "";
      // The spray leaves the bottle's neck up and to the right, widening as it goes.
      for (let index = 0; index < 18; index += 1) {
        const t = index / 17;
        const reach = 20 + t * 125;
        const x = 330 + reach * 0.47 + pen.between(-1, 1) * t * 45;
        const y = 165 - reach * 0.88 + pen.between(-1, 1) * t * 20;
        bubbles += `<circle cx="${n(x)}" cy="${n(y)}" r="${n(pen.between(4, 11))}" fill="none" stroke="#c9a227" stroke-width="2.5"/>`;
      }
      return `${confetti(pen, ["#e9b949", "#ef476f", "#2d6a4f"], 22, { x: 40, y: 40, w: 420, h: 400 })}${bubbles}<g transform="rotate(28 250 330)"><path d="M212 450V305Q212 255 236 232V172H264V232Q288 255 288 305V450Q288 462 276 462H224Q212 462 212 450Z" fill="#2d6a4f"/><rect x="234" y="165" width="32" height="42" rx="4" fill="#e9b949"/><rect x="220" y="330" width="60" height="58" rx="4" fill="#fefae0"/>${star(250, 359, 16, "#c9a227")}<path d="M224 300Q250 282 276 300" stroke="#fff" stroke-opacity=".4" stroke-width="6" fill="none"/></g><rect x="412" y="52" width="26" height="34" rx="6" fill="#c68b59" transform="rotate(30 425 69)"/>`;
    },
  },
  mortarboard: {
    background: ["#eef2f7", "#dde5ee"],
    ink: "#1f2a44",
    font: "serif",
    greeting: ["Proud", "of You"],
    motif: (pen) => {
      let stars = "";
      for (let index = 0; index < 7; index += 1)
        stars += star(pen.between(40, 460), 45 + index * 55, pen.between(6, 11), "#e9b949");
      return `${stars}<path d="M170 190V250Q250 290 330 250V190L250 222Z" fill="#333a4d"/><path d="M250 105 405 165 250 225 95 165Z" fill="#1f2a44"/><path d="M250 165 385 178V262" fill="none" stroke="#e9b949" stroke-width="5"/><circle cx="250" cy="165" r="8" fill="#e9b949"/><path d="M375 258H395L400 300H370Z" fill="#e9b949"/><rect x="120" y="330" width="260" height="64" rx="32" fill="#fffaf0" stroke="#d8c9a8" stroke-width="3"/><ellipse cx="150" cy="362" rx="12" ry="30" fill="#efe3c4"/><rect x="236" y="328" width="28" height="68" fill="#c1121f"/><path d="M242 396 230 440 246 430ZM258 396 270 440 254 430Z" fill="#c1121f"/>`;
    },
  },
  "paper-plane": {
    background: ["#e0f2fe", "#bae6fd"],
    ink: "#1e3a5f",
    font: "serif",
    greeting: ["Bon", "Voyage"],
    motif: () =>
      `${cloud(110, 110, 1)}${cloud(390, 300, 0.8)}${cloud(150, 380, 0.6)}<path d="M60 420C140 330 110 230 200 240 290 250 240 340 185 310 130 280 250 180 320 180" fill="none" stroke="#1e3a5f" stroke-opacity=".5" stroke-width="4" stroke-dasharray="2 12" stroke-linecap="round"/><g transform="translate(370 160) rotate(-14)"><path d="M70 0-80-48-34 6Z" fill="#fff"/><path d="M70 0-34 6-52 42Z" fill="#cfe0ef"/><path d="M70 0-34 6-20 22Z" fill="#a9c4dc"/></g>`,
  },
  "sunset-road": {
    background: ["#ffe3b3", "#fb9a6b"],
    ink: "#3d1a56",
    font: "serif",
    greeting: ["Good", "Luck"],
    greetingCentre: 150,
    motif: () =>
      `<circle cx="250" cy="360" r="110" fill="#ffb347"/><path d="M150 330H350M160 360H340M175 390H325" stroke="#fb9a6b" stroke-width="7" opacity=".5"/><path d="M16 380Q130 300 250 360T484 340V684H16Z" fill="#8e5aa8"/><path d="M16 440Q160 380 300 430T484 410V684H16Z" fill="#5e3b76"/><path d="M160 684C230 590 300 500 244 418H256C330 500 290 590 340 684Z" fill="#2d1e3e"/><path d="M250 684C270 600 300 520 250 430" fill="none" stroke="#ffe3b3" stroke-width="5" stroke-dasharray="18 16"/>`,
  },
  "hot-air-balloon": {
    background: ["#d8f5f3", "#8fd9d9"],
    ink: "#114b5f",
    font: "serif",
    greeting: ["Farewell"],
    motif: () =>
      `${cloud(90, 130, 0.9)}${cloud(400, 90, 0.7)}${cloud(380, 360, 1)}${cloud(110, 400, 0.6)}<g transform="translate(405 270) scale(.32) translate(-250 -220)">${hotAirBalloon("#06aed5", "#f0c808")}</g>${hotAirBalloon("#e63946", "#ffb703")}`,
  },
  "waving-hand": {
    background: ["#efe6fb", "#dccff5"],
    ink: "#4a2c7a",
    font: "sans",
    greeting: ["So Long!"],
    motif: () =>
      `<path d="M110 150Q80 210 110 270M80 130Q40 210 80 290M390 150Q420 210 390 270M420 130Q460 210 420 290" fill="none" stroke="#4a2c7a" stroke-opacity=".45" stroke-width="7" stroke-linecap="round"/><g transform="rotate(-12 250 300)"><rect x="205" y="330" width="90" height="80" rx="8" fill="#7b5ea7"/><rect x="186" y="120" width="30" height="140" rx="15" fill="#ffcc4d"/><rect x="219" y="100" width="30" height="150" rx="15" fill="#ffcc4d"/><rect x="252" y="106" width="30" height="150" rx="15" fill="#ffcc4d"/><rect x="285" y="128" width="30" height="130" rx="15" fill="#ffcc4d"/><rect x="150" y="230" width="30" height="96" rx="15" fill="#ffcc4d" transform="rotate(-40 165 300)"/><rect x="184" y="200" width="132" height="150" rx="50" fill="#ffcc4d"/><path d="M212 300Q250 320 288 300" fill="none" stroke="#e0a800" stroke-width="4" stroke-linecap="round"/></g>${sparkle(120, 360, 12, "#f9c74f")}${sparkle(385, 80, 14, "#f9c74f")}`,
  },
  "two-rings": {
    background: ["#fdfaf3", "#f4ecdc"],
    ink: "#6b4f3a",
    font: "serif",
    greeting: ["Just", "Married"],
    motif: () => {
      const arc = (cx: number, cy: number, from: number, to: number) => {
        const radian = Math.PI / 180;
        return `M${n(cx + 75 * Math.cos(from * radian))} ${n(cy + 75 * Math.sin(from * radian))}A75 75 0 0 1 ${n(cx + 75 * Math.cos(to * radian))} ${n(cy + 75 * Math.sin(to * radian))}`;
      };
      // Redrawing part of the first ring over the second makes the pair look linked, not stacked.
      return `${leaf(120, 400, 70, -150, "#9cae8f")}${leaf(120, 400, 60, -110, "#b5c4a8")}${leaf(380, 400, 70, -30, "#9cae8f")}${leaf(380, 400, 60, -70, "#b5c4a8")}<circle cx="205" cy="265" r="75" fill="none" stroke="${weddingGold}" stroke-width="16"/><circle cx="292" cy="285" r="75" fill="none" stroke="#e0c068" stroke-width="16"/><path d="${arc(205, 265, 40, 95)}" fill="none" stroke="${weddingGold}" stroke-width="16"/><path d="M277 188H307L321 202 292 232 263 202Z" fill="#e3f6ff" stroke="#8ab6cc" stroke-width="2"/><path d="M263 202H321M285 188 280 202 292 232 304 202 299 188" fill="none" stroke="#8ab6cc" stroke-width="1.5"/>${sparkle(340, 170, 16, weddingGold)}${sparkle(150, 170, 10, weddingGold)}${sparkle(360, 225, 8, weddingGold)}`;
    },
  },
  "heart-garland": {
    background: ["#eef3ea", "#dfe8d8"],
    ink: "#4f6d4a",
    font: "serif",
    greeting: ["Happy", "Wedding Day"],
    motif: (pen) => {
      let garland = `<path d="M30 110Q250 420 470 110M60 60Q250 260 440 60" fill="none" stroke="#7a9a72" stroke-width="2"/>`;
      const along = (t: number, x1: number, y1: number, cx: number, cy: number, x2: number, y2: number) =>
        [
          (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t ** 2 * x2,
          (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t ** 2 * y2,
        ] as const;
      for (let index = 0; index < 11; index += 1) {
        const [x, y] = along(0.05 + index * 0.09, 30, 110, 250, 420, 470, 110);
        garland += `<path d="M${n(x)} ${n(y)}V${n(y + 18)}" stroke="#7a9a72" stroke-width="2"/>${pen.heart(x, y + 36, 20, index % 2 === 0 ? "#e5989b" : "#fff", `stroke="#e5989b" stroke-width=".08"`)}`;
      }
      for (let index = 0; index < 7; index += 1) {
        const [x, y] = along(0.08 + index * 0.14, 60, 60, 250, 260, 440, 60);
        garland += pen.heart(x, y + 16, 12, index % 2 === 0 ? "#b5838d" : "#ffcdb2");
      }
      return `${garland}${leaf(30, 110, 50, -40, "#7a9a72")}${leaf(470, 110, 50, 220, "#7a9a72")}`;
    },
  },
  "wedding-bells": {
    background: ["#fffaf2", "#f7ead8"],
    ink: "#7a5c3e",
    font: "serif",
    greeting: ["Mr & Mrs"],
    motif: (pen) => {
      let hearts = `<path d="M40 60Q250 120 460 60" fill="none" stroke="#d9c8a9" stroke-width="2"/>`;
      for (let index = 0; index < 9; index += 1) {
        const x = 60 + index * 47.5;
        const t = (x - 40) / 420;
        const y = 60 + 2 * (1 - t) * t * 60;
        hearts += pen.heart(x, y + 12, 11, index % 2 === 0 ? "#e8a5a5" : weddingGold);
      }
      const bell = `<path d="M-62 70C-50 40-46-10-40-30-30-66 30-66 40-30 46-10 50 40 62 70Z" fill="#d4a72c"/><path d="M-22-40C-34-10-36 30-40 62" fill="none" stroke="#f3dc8a" stroke-width="8" stroke-linecap="round"/><rect x="-68" y="64" width="136" height="14" rx="7" fill="#b8891a"/><circle cy="88" r="12" fill="#b8891a"/>`;
      return `${hearts}<path d="M250 190 200 240M250 190 300 240" stroke="#d9c8a9" stroke-width="4"/><g transform="translate(195 300) rotate(16)">${bell}</g><g transform="translate(305 300) rotate(-16)">${bell}</g>${bow(250, 190, 1.2, "#e8a5a5")}<g fill="none" stroke="#d4a72c" stroke-width="3" stroke-linecap="round"><path d="M110 300Q100 330 112 360M90 290Q74 330 92 372M390 300Q400 330 388 360M410 290Q426 330 408 372"/></g>`;
    },
  },
  "floral-arch": {
    background: ["#fff9f0", "#f8ece0"],
    ink: "#6d4c41",
    font: "serif",
    greeting: ["With", "Love"],
    greetingCentre: 420,
    motif: () => {
      const points: (readonly [number, number, number])[] = [];
      for (let y = 620; y > 330; y -= 34) points.push([80, y, -90]);
      for (let step = 0; step <= 12; step += 1) {
        const angle = Math.PI + (Math.PI * step) / 12;
        points.push([250 + 170 * Math.cos(angle), 330 + 170 * Math.sin(angle), (angle * 180) / Math.PI + 90]);
      }
      for (let y = 364; y <= 620; y += 34) points.push([420, y, 90]);
      // Sixty-odd leaves share one path so the file stays small.
      // The petals take their colour from each <use>; the centre is the same gold on every bloom.
      let leaves = `<defs><path id="leaf" d="M0 0Q16-10 32 0Q16 10 0 0Z"/><g id="bloom">${flower(0, 0, 20, "inherit", "#f2c14e")}</g></defs>`;
      let flowers = "";
      points.forEach(([x, y, angle], index) => {
        const at = `${n(x)} ${n(y)}`;
        leaves += `<use href="#leaf" fill="#9cae8f" transform="translate(${at}) rotate(${n(angle + 40)})"/><use href="#leaf" fill="#7d9470" transform="translate(${at}) rotate(${n(angle + 140)})"/>`;
        if (index % 3 === 1)
          flowers += `<use href="#bloom" fill="${index % 2 === 0 ? "#e8a5a5" : "#f6cfcf"}" transform="translate(${at}) scale(${index % 2 === 0 ? 1.1 : 0.9})"/>`;
      });
      return leaves + flowers;
    },
  },
  "stork-delivery": {
    background: ["#e6f4fb", "#cde9f6"],
    ink: "#2f5d8a",
    font: "serif",
    greeting: ["Hello", "Baby"],
    motif: () =>
      `${cloud(100, 100, 0.8)}${cloud(400, 410, 0.7)}${cloud(110, 380, 0.55)}<path d="M170 212 96 226M170 222 98 240" stroke="#f28c28" stroke-width="5" stroke-linecap="round"/><path d="M150 196 118 188 128 214Z" fill="#2b2d42"/><ellipse cx="225" cy="212" rx="74" ry="34" fill="#fff" stroke="#9fb8c9" stroke-width="2" transform="rotate(-8 225 212)"/><path d="M292 194C324 186 334 164 350 152" fill="none" stroke="#fff" stroke-width="16" stroke-linecap="round"/><circle cx="356" cy="146" r="18" fill="#fff" stroke="#9fb8c9" stroke-width="2"/><circle cx="361" cy="141" r="3" fill="#2b2d42"/><path d="M370 138 432 158 368 154Z" fill="#f28c28"/><path d="M196 196C214 120 284 86 336 92 312 140 276 178 236 204Z" fill="#fff" stroke="#9fb8c9" stroke-width="2"/><path d="M304 92C322 90 336 92 336 92 324 112 310 128 292 142 298 124 300 108 304 92Z" fill="#2b2d42"/><path d="M426 158 404 236M428 158 448 236" stroke="#c9a9a6" stroke-width="2.5"/><path d="M384 236Q427 220 470 236 476 300 427 312 378 300 384 236Z" fill="#f7c6d9"/><circle cx="427" cy="262" r="17" fill="#ffe0c2"/><path d="M419 262Q421 266 423 262M431 262Q433 266 435 262" fill="none" stroke="#7a5548" stroke-width="1.8"/><circle cx="427" cy="232" r="7" fill="#f4a7c3"/>`,
  },
  "baby-rattle": {
    background: ["#fffbea", "#fff1c1"],
    ink: "#3a6b5a",
    font: "sans",
    greeting: ["Welcome"],
    motif: (pen) => {
      let stars = "";
      for (let index = 0; index < 9; index += 1)
        stars += star(
          pen.between(40, 460),
          pen.between(40, 440),
          pen.between(7, 13),
          pen.pick(["#8fd3b6", "#f7c6d9", "#ffd966"]),
        );
      return `${stars}<g transform="rotate(30 250 250)"><rect x="237" y="250" width="26" height="150" rx="13" fill="#8fd3b6"/><circle cx="250" cy="425" r="26" fill="none" stroke="#8fd3b6" stroke-width="11"/><circle cx="250" cy="180" r="88" fill="#ffd966"/><path d="M170 150Q250 120 330 150M165 205Q250 235 335 205" fill="none" stroke="#f4b400" stroke-width="8"/><g fill="#8fd3b6"><circle cx="210" cy="178" r="10"/><circle cx="250" cy="182" r="10"/><circle cx="290" cy="178" r="10"/></g></g>${bow(198, 288, 0.8, "#f4a7c3")}`;
    },
  },
  "sleepy-moon": {
    background: ["#e9e3f7", "#d5ccef"],
    ink: "#4b3f72",
    font: "serif",
    greeting: ["Sweet", "Dreams"],
    motif: (pen) => {
      let stars = "";
      for (let index = 0; index < 8; index += 1)
        stars += star(
          340 + pen.between(-20, 120),
          60 + index * 45,
          pen.between(6, 12),
          pen.pick(["#fff", "#ffe8a3"]),
        );
      return `${stars}${crescent("moon", 230, 230, 140, "#ffe8a3", 70, -40)}<path d="M138 226Q150 238 164 226" fill="none" stroke="#4b3f72" stroke-width="4" stroke-linecap="round"/><circle cx="134" cy="256" r="10" fill="#f7b2c4" opacity=".7"/><path d="M150 282Q162 292 176 284" fill="none" stroke="#4b3f72" stroke-width="4" stroke-linecap="round"/>${cloud(210, 392, 1.1)}${cloud(360, 410, 0.8)}<text x="330" y="150" font-family="${fontStacks.serif}" font-size="34" font-weight="700" fill="#4b3f72" opacity=".6">z</text><text x="356" y="116" font-family="${fontStacks.serif}" font-size="26" font-weight="700" fill="#4b3f72" opacity=".5">z</text>`;
    },
  },
  "baby-bunting": {
    background: ["#fdf3f7", "#eee6f7"],
    ink: "#5b6fa6",
    font: "sans",
    greeting: ["Welcome", "Little One"],
    motif: () =>
      `${bunting([16, 60], [484, 60], 40, ["#f7c6d9", "#bde0fe", "#ffe699", "#bfe8d4"], 9, "#8e9cc7")}${footprint(190, 310, true, "#f4a7c3")}${footprint(310, 270, false, "#9cc5f0")}${sparkle(120, 220, 12, "#ffd966")}${sparkle(390, 380, 14, "#ffd966")}${sparkle(100, 400, 9, "#bfe8d4")}`,
  },
  sunrise: {
    background: ["#ffe8c2", "#ffc9a3"],
    ink: "#fffbea",
    font: "serif",
    greeting: ["Get Well", "Soon"],
    greetingCentre: 560,
    motif: () => {
      let rays = "";
      for (let index = 0; index < 11; index += 1) {
        const angle = Math.PI + (Math.PI * (index + 0.5)) / 11;
        const spread = 0.07;
        rays += `M250 400L${n(250 + 330 * Math.cos(angle - spread))} ${n(400 + 330 * Math.sin(angle - spread))}L${n(250 + 330 * Math.cos(angle + spread))} ${n(400 + 330 * Math.sin(angle + spread))}Z`;
      }
      return `<path d="${rays}" fill="#ffd166" opacity=".55"/><circle cx="250" cy="400" r="100" fill="#ffc93c"/><circle cx="250" cy="400" r="78" fill="#ffd95a"/><path d="M16 420Q150 360 270 410T484 400V684H16Z" fill="#6aa84f"/><path d="M16 460Q200 420 330 455T484 440V684H16Z" fill="#3f7d3a"/>${cloud(110, 150, 0.7)}${cloud(390, 110, 0.55)}`;
    },
  },
  "tea-and-sympathy": {
    background: ["#eef6f3", "#dbece6"],
    ink: "#2c4a52",
    font: "serif",
    greeting: ["Feel", "Better"],
    motif: () =>
      `<path d="M118 250C62 250 62 336 124 336" fill="none" stroke="#4a7fb5" stroke-width="14"/><path d="M288 292C326 282 338 240 366 222L378 232C358 258 352 302 300 330Z" fill="#4a7fb5"/><ellipse cx="205" cy="292" rx="96" ry="82" fill="#4a7fb5"/><ellipse cx="205" cy="214" rx="52" ry="14" fill="#3b6a99"/><circle cx="205" cy="196" r="11" fill="#3b6a99"/><g fill="#fff" opacity=".85"><circle cx="170" cy="285" r="7"/><circle cx="205" cy="305" r="7"/><circle cx="240" cy="285" r="7"/><circle cx="188" cy="328" r="5"/><circle cx="222" cy="328" r="5"/></g><path d="M374 232C384 262 382 290 380 330" fill="none" stroke="#c98b52" stroke-width="5" stroke-linecap="round"/><ellipse cx="380" cy="400" rx="72" ry="12" fill="#fff" stroke="#b9d3cb" stroke-width="2"/><path d="M332 330H428Q424 394 380 398 336 394 332 330Z" fill="#fff" stroke="#b9d3cb" stroke-width="2"/><path d="M426 345C456 345 456 380 420 380" fill="none" stroke="#fff" stroke-width="9"/><ellipse cx="380" cy="332" rx="46" ry="7" fill="#c98b52"/><ellipse cx="130" cy="410" rx="70" ry="12" fill="#fff" stroke="#b9d3cb" stroke-width="2"/><g fill="#d9a066"><circle cx="105" cy="392" r="24"/><circle cx="155" cy="396" r="24"/></g><g fill="#b07a45"><circle cx="98" cy="386" r="3"/><circle cx="112" cy="398" r="3"/><circle cx="150" cy="390" r="3"/><circle cx="162" cy="402" r="3"/></g>`,
  },
  sunflowers: {
    background: ["#e3f2fd", "#c7e4f7"],
    ink: "#33502f",
    font: "serif",
    greeting: ["Get Well", "Soon"],
    motif: () => {
      const heads = [
        [140, 180, 62],
        [250, 120, 72],
        [360, 190, 58],
      ] as const;
      let stems = "";
      let leaves = "";
      let blooms = "";
      for (const [x, y, radius] of heads) {
        stems += `M${x} ${y}Q${x + 10} ${n((y + 430) / 2)} ${x} 430`;
        leaves += leaf(x + 4, y + 140, 56, -30, "#4f7942") + leaf(x + 4, y + 110, 50, 200, "#5e8c4f");
        blooms += `${flower(x, y, radius, "#ffc300", "#6b3e26", 14)}<g fill="#4a2a19">${[0, 1, 2, 3, 4, 5]
          .map(
            (index) =>
              `<circle cx="${n(x + radius * 0.2 * Math.cos(index * 1.05))}" cy="${n(y + radius * 0.2 * Math.sin(index * 1.05))}" r="3"/>`,
          )
          .join("")}</g>`;
      }
      return `<path d="${stems}" fill="none" stroke="#4f7942" stroke-width="8"/>${leaves}${blooms}<path d="M16 432Q250 404 484 432V450Q250 424 16 450Z" fill="#6a994e"/>`;
    },
  },
  "clinking-glasses": {
    background: ["#3c1642", "#5a2160"],
    ink: "#fdf0d5",
    font: "serif",
    greeting: ["Happy", "Anniversary"],
    motif: (pen) => {
      let sparkles = burst(250, 130, 44, "#e0b84c", 10);
      for (let index = 0; index < 10; index += 1)
        sparkles += sparkle(pen.between(40, 460), pen.between(40, 440), pen.between(5, 10), "#fdf0d5");
      return `${sparkles}${flute(182, 380, 14)}${flute(318, 380, -14)}`;
    },
  },
  "entwined-hearts": {
    background: ["#2b0f2f", "#4a1942"],
    ink: "#f9dcc4",
    font: "serif",
    greeting: ["Happy", "Anniversary"],
    motif: (pen) => {
      let sparkles = "";
      for (let index = 0; index < 12; index += 1)
        sparkles += sparkle(pen.between(40, 460), pen.between(40, 450), pen.between(5, 11), "#e0b84c");
      return `${sparkles}${pen.heart(200, 250, 120, "#c1121f")}${pen.heart(300, 270, 120, "#e0b84c", `opacity=".85"`)}${pen.heart(200, 250, 120, "none", `stroke="#fdf0d5" stroke-width=".02"`)}`;
    },
  },
  roses: {
    background: ["#fdf0ef", "#f7dcdc"],
    ink: "#7d1128",
    font: "serif",
    greeting: ["Still Us"],
    motif: () => {
      const heads = [
        [250, 150],
        [185, 195],
        [315, 195],
        [215, 260],
        [285, 260],
        [250, 215],
      ] as const;
      let stems = "";
      let leaves = "";
      let blooms = "";
      for (const [x, y] of heads) {
        stems += `M${x} ${y}L250 440`;
        leaves += leaf((x + 250) / 2, (y + 440) / 2, 36, x < 250 ? 210 : -30, "#40916c");
        blooms += roseHead(x, y, 40);
      }
      return `<g transform="translate(250 270) scale(1.3) translate(-250 -290)"><path d="${stems}" stroke="#2d6a4f" stroke-width="5"/>${leaves}${blooms}${bow(250, 370, 1, "#e0b84c")}</g>`;
    },
  },
};

/** Slugs that have a drawing; the catalog tests hold this to the list of designs. */
export const drawnSlugs: readonly string[] = Object.keys(cardFronts);

function greetingText(art: CardFrontArt): string {
  const longest = Math.max(...art.greeting.map((line) => line.length));
  // Bold serif glyphs average about 0.7em; the widest line stays inside the frame with room to spare.
  const size = Math.min(80, Math.floor(430 / (longest * 0.7)));
  const lineHeight = size * 1.08;
  const centre = art.greetingCentre ?? 560;
  const firstBaseline = centre - ((art.greeting.length - 1) * lineHeight) / 2 + size * 0.35;
  const lines = art.greeting
    .map(
      (line, index) => `<text x="250" y="${n(firstBaseline + index * lineHeight)}">${escapeXml(line)}</text>`,
    )
    .join("");
  return `<g font-family="${fontStacks[art.font]}" font-size="${size}" font-weight="700" fill="${art.ink}" text-anchor="middle">${lines}</g>`;
}

/** The card front of one design as a standalone SVG document. */
export function cardFrontSvg(design: Pick<Design, "slug" | "title">): string {
  const art = cardFronts[design.slug];
  if (art === undefined) throw new Error(`No card front is drawn for design ${design.slug}`);
  const random = seededRandom(design.slug);
  let usesHeart = false;
  const pen: Pen = {
    between: (low, high) => low + random() * (high - low),
    pick: (choices) => {
      const choice = choices[Math.floor(random() * choices.length)];
      if (choice === undefined) throw new Error("pick needs at least one choice");
      return choice;
    },
    heart: (x, y, size, fill, extra = "") => {
      usesHeart = true;
      const scale = typeof size === "number" ? n(size) : `${n(size[0])} ${n(size[1])}`;
      return `<use href="#heart" fill="${fill}"${extra === "" ? "" : ` ${extra}`} transform="translate(${n(x)} ${n(y)}) scale(${scale})"/>`;
    },
  };
  const motif = art.motif(pen);
  const [top, bottom] = art.background;
  const defs = `<defs><linearGradient id="paper" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>${usesHeart ? `<path id="heart" d="${heartPath}"/>` : ""}</defs>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><title>${escapeXml(design.title)}</title>${defs}<rect width="${W}" height="${H}" fill="url(#paper)"/>${motif}${greetingText(art)}<rect x="16" y="16" width="${W - 32}" height="${H - 32}" rx="10" fill="none" stroke="${art.ink}" stroke-opacity=".25" stroke-width="2"/></svg>\n`;
}
