// The URL paths a browser loads to see the whole catalog: every page and asset of the built site and
// every design's picture, discovered from the build output and the catalog data, never listed by hand.
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { categories, categoryPath, designImageUrl, designs } from "../../site/catalog/designs.ts";

/**
 * The site's error page is what a missing path shows, and the card, sign and organiser shells need a
 * capability id in their address (/c/<cardId>): none of them is a page of the catalog.
 */
const notCatalog = new Set(["/404.html", "/c/", "/o/", "/s/"]);

/** A built file's viewer path: `designs/birthday/index.html` is served at `/designs/birthday/`. */
export function viewerPath(relativeFile: string): string {
  const path = `/${relativeFile.split(sep).join("/")}`;
  return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
}

async function builtFiles(siteFolder: string): Promise<string[]> {
  const entries = await readdir(siteFolder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(siteFolder, join(entry.parentPath, entry.name)));
}

/** Every catalog page and picture, plus (given the built site) every file the build produced. */
export async function catalogPaths(siteFolder?: string): Promise<string[]> {
  const paths = new Set<string>([
    categoryPath(),
    ...categories.map((category) => categoryPath(category.slug)),
    ...designs.map((design) => designImageUrl(design)),
  ]);
  if (siteFolder !== undefined) {
    for (const file of await builtFiles(siteFolder)) paths.add(viewerPath(file));
  }
  for (const path of notCatalog) paths.delete(path);
  return [...paths].sort();
}
