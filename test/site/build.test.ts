// Builds the static site once and checks what ships: every design listed, category pages, no JavaScript.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { categories, categoryPath, designs, designsInCategory } from "../../site/catalog/designs.ts";

let outDir: string;
let files: string[] = [];

// The site is built once per run by test/global-setup.ts.
beforeAll(async () => {
  outDir = inject("siteFolder");
  files = (await readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(outDir.length + 1));
});

const page = (path: string) => readFile(join(outDir, path), "utf8");

/** What Astro writes for text and attribute values. */
const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const designImages = (html: string) =>
  [...html.matchAll(/<img src="\/img\/catalog\/([a-z0-9-]+)\.svg"/g)].map((match) => match[1]);

/** The category filter: each link with whether it is marked as the current page. */
function filterLinks(html: string): { href: string; label: string; current: boolean }[] {
  const nav = html.match(/<nav class="category-filter" aria-label="Card categories">(.*?)<\/nav>/s)?.[1];
  if (nav === undefined) throw new Error("no category filter on the page");
  return [...nav.matchAll(/<a href="([^"]+)"( aria-current="page")?>([^<]*)<\/a>/g)].map((match) => ({
    href: match[1] ?? "",
    current: match[2] !== undefined,
    label: match[3] ?? "",
  }));
}

describe("the built site", () => {
  it("lists every design on the home page with its picture, alt text, title and category", async () => {
    const html = await page("index.html");
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/i);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>Card designs · GoodGreets</title>");
    expect(designImages(html)).toEqual(designs.map((design) => design.slug));
    for (const design of designs) {
      expect(html).toContain(
        `<img src="/img/catalog/${design.slug}.svg" alt="${escapeHtml(design.altText)}" width="500" height="700" loading="lazy" decoding="async">`,
      );
      expect(html).toContain(`>${escapeHtml(design.title)}</h3>`);
    }
  });

  it("offers a filter of plain links, with All marked current on the home page", async () => {
    const links = filterLinks(await page("index.html"));
    expect(links).toEqual([
      { href: "/", label: "All", current: true },
      ...categories.map((category) => ({
        href: categoryPath(category.slug),
        label: category.label,
        current: false,
      })),
    ]);
  });

  it.each(categories.map((category) => [category.slug, category] as const))(
    "has a page for %s with only its designs and its own link current",
    async (slug, category) => {
      const html = await page(`designs/${slug}/index.html`);
      expect(designImages(html)).toEqual(designsInCategory(slug).map((design) => design.slug));
      expect(html).toContain(escapeHtml(category.description));
      expect(html).toContain(`<h1>${escapeHtml(category.label)} cards</h1>`);
      const links = filterLinks(html);
      expect(links.filter((link) => link.current)).toEqual([
        { href: `/designs/${slug}/`, label: category.label, current: true },
      ]);
      expect(links[0]).toEqual({ href: "/", label: "All", current: false });
      expect(html.match(/aria-current="page"/g)).toHaveLength(1);
    },
  );

  it("has a not-found page that leads back to the catalog", async () => {
    expect(files).toContain("404.html");
    const html = await page("404.html");
    expect(html).toMatch(/<a class="button" href="\/">/);
    expect(html).toContain("<h1>");
  });

  it("ships no JavaScript to the browser and loads nothing from other origins", async () => {
    const pages = files.filter((file) => file.endsWith(".html"));
    expect(pages.length).toBe(categories.length + 2);
    for (const file of pages) {
      const html = await page(file);
      expect(html, file).not.toMatch(/<script/i);
      expect(html, file).not.toMatch(/\.m?js["'?]/);
      expect(html, file).not.toMatch(/\son[a-z]+=/i);
      expect(html, file).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    // No page has an island, so no framework runtime is published either.
    expect(files.filter((file) => /\.m?js$/.test(file))).toEqual([]);
    // Styles are inlined or same-origin, both allowed by style-src 'self' 'unsafe-inline'.
    expect(await page("index.html")).toMatch(/<style>|<link rel="stylesheet" href="\/_astro\/[^"]+\.css">/);
  });

  it("escapes what it shows: titles and alt texts with ampersands", async () => {
    const html = await page("index.html");
    expect(html).toContain(">Bits &amp; Bobs</h3>");
    expect(html).not.toContain("Bits & Bobs");
    expect(html).toContain("above the words “Mr &amp; Mrs”.");
    const wedding = await page("designs/wedding/index.html");
    expect(wedding).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)/i);
  });
});
