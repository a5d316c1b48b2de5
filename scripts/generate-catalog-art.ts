// Writes the catalog's card-front SVGs and their licence into site/catalog/art/; run after changing a design.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { artLicence, cardFrontSvg } from "../site/catalog/artwork.ts";
import { designs } from "../site/catalog/designs.ts";

const artFolder = join(import.meta.dirname, "../site/catalog/art");
await mkdir(artFolder, { recursive: true });

const expected = new Set(designs.map((design) => `${design.slug}.svg`));
// A design removed from the catalog takes its picture with it, so the bucket never serves an orphan.
for (const file of await readdir(artFolder))
  if (file.endsWith(".svg") && !expected.has(file)) await rm(join(artFolder, file));

for (const design of designs) {
  const svg = cardFrontSvg(design);
  await writeFile(join(artFolder, `${design.slug}.svg`), svg);
  console.log(`${design.slug}.svg  ${(Buffer.byteLength(svg) / 1024).toFixed(1)} KB`);
}
await writeFile(join(artFolder, "LICENSE"), artLicence);
