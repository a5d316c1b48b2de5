// The card catalog's rules and its artwork: enough designs, sound look-ups, and a valid card front for each.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { cardFrontSvg, drawnSlugs, escapeXml } from "../../site/catalog/artwork.ts";
import {
  type Category,
  catalogProblems,
  categories,
  categoryBySlug,
  categoryLabel,
  categoryPath,
  type Design,
  designBySlug,
  designImageUrl,
  designs,
  designsInCategory,
} from "../../site/catalog/designs.ts";

const artFolder = join(process.cwd(), "site/catalog/art");

describe("the catalog", () => {
  it("offers at least 24 designs in at least 6 categories, including the core occasions", () => {
    expect(designs.length).toBeGreaterThanOrEqual(24);
    expect(categories.length).toBeGreaterThanOrEqual(6);
    const slugs = categories.map((category) => category.slug);
    for (const occasion of ["birthday", "thank-you", "farewell", "wedding", "new-baby", "congratulations"])
      expect(slugs).toContain(occasion);
  });

  it("is consistent: unique url-safe slugs, known categories, no empty category", () => {
    expect(catalogProblems()).toEqual([]);
    expect(new Set(designs.map((design) => design.slug)).size).toBe(designs.length);
    for (const design of designs) {
      expect(design.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(design.imageKey).toBe(`catalog/${design.slug}.svg`);
      expect(categoryBySlug(design.category)).toBeDefined();
    }
    for (const category of categories) {
      expect(designsInCategory(category.slug).length).toBeGreaterThan(0);
      expect(category.description.length).toBeGreaterThan(10);
    }
  });

  it("describes every picture in words, not by repeating its title", () => {
    for (const design of designs) {
      const alt = design.altText.trim();
      expect(alt.toLowerCase()).not.toBe(design.title.toLowerCase());
      expect(alt.split(/\s+/).length, design.slug).toBeGreaterThanOrEqual(8);
    }
    expect(new Set(designs.map((design) => design.altText)).size).toBe(designs.length);
  });

  it("reports each kind of broken rule", () => {
    const birthday = categories.find((category) => category.slug === "birthday") as Category;
    const wedding = categories.find((category) => category.slug === "wedding") as Category;
    const good: Design = {
      slug: "good-one",
      title: "Good One",
      category: "birthday",
      altText: "A cake with candles on a pink card",
      imageKey: "catalog/good-one.svg",
    };
    expect(catalogProblems([birthday], [good])).toEqual([]);
    const problems = catalogProblems(
      [birthday, wedding, birthday],
      [
        good,
        { ...good },
        { ...good, slug: "Not Safe", imageKey: "catalog/Not Safe.svg" },
        { ...good, slug: "lost", imageKey: "catalog/lost.svg", category: "farewell" },
        { ...good, slug: "lazy-alt", imageKey: "catalog/lazy-alt.svg", altText: "good one" },
        { ...good, slug: "wrong-key", imageKey: "catalog/other.svg" },
      ],
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "category birthday is listed twice",
        "category wedding has no designs",
        "design slug good-one is used twice",
        "design slug Not Safe is not url-safe",
        "design lost is in unknown category farewell",
        "design lazy-alt needs alt text that describes the picture",
        "design wrong-key has image key catalog/other.svg",
      ]),
    );
  });

  it("looks designs and categories up by slug", () => {
    expect(categoryBySlug("wedding")?.label).toBe("Wedding");
    expect(categoryBySlug("nope")).toBeUndefined();
    expect(categoryLabel("new-baby")).toBe("New baby");
    expect(designBySlug("bits-and-bobs")?.title).toBe("Bits & Bobs");
    expect(designBySlug("nope")).toBeUndefined();
    const wedding = designsInCategory("wedding");
    expect(wedding.every((design) => design.category === "wedding")).toBe(true);
    expect(designsInCategory("nope")).toEqual([]);
    // Every design is in exactly one category's list, in catalog order.
    const regrouped = categories.flatMap((category) => designsInCategory(category.slug));
    expect(regrouped.map((design) => design.slug).toSorted()).toEqual(
      designs.map((design) => design.slug).toSorted(),
    );
    expect(wedding.map((design) => designs.indexOf(design))).toEqual(
      wedding.map((design) => designs.indexOf(design)).toSorted((a, b) => a - b),
    );
  });

  it("builds the picture and page addresses the edge serves", () => {
    expect(designImageUrl({ imageKey: "catalog/roses.svg" })).toBe("/img/catalog/roses.svg");
    expect(categoryPath()).toBe("/");
    expect(categoryPath("get-well")).toBe("/designs/get-well/");
  });
});

describe("the catalog artwork", () => {
  it("has exactly one drawing and one committed SVG per design, and a CC0 licence", async () => {
    const slugs = designs.map((design) => design.slug).toSorted();
    expect([...drawnSlugs].toSorted()).toEqual(slugs);
    const files = await readdir(artFolder);
    expect(
      files
        .filter((file) => file.endsWith(".svg"))
        .map((file) => file.replace(/\.svg$/, ""))
        .toSorted(),
    ).toEqual(slugs);
    const licence = await readFile(join(artFolder, "LICENSE"), "utf8");
    expect(licence).toContain("CC0");
  });

  it.each(designs.map((design) => [design.slug, design] as const))(
    "%s is a small, well-formed 5:7 portrait SVG that matches the generator",
    async (slug, design) => {
      const file = join(artFolder, `${slug}.svg`);
      const committed = await readFile(file, "utf8");
      // Compared as a boolean so a stale file reports one line, not two whole SVG documents.
      const upToDate = committed === cardFrontSvg(design);
      expect(upToDate, `${slug}.svg is stale: run npx node scripts/generate-catalog-art.ts`).toBe(true);
      expect((await stat(file)).size).toBeLessThan(8 * 1024);
      expect(committed).toMatch(/viewBox="0 0 500 700"/);
      // Every ampersand in the file starts an entity: user-visible text went through escapeXml.
      expect(committed).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
      expect(committed).toContain(`<title>${escapeXml(design.title)}</title>`);
      // librsvg parses the XML strictly; a malformed file throws here.
      const metadata = await sharp(file).metadata();
      expect(metadata.format).toBe("svg");
      expect(metadata.width).toBe(500);
      expect(metadata.height).toBe(700);
    },
  );

  it("draws something on the card, not a blank page", async () => {
    const design = designBySlug("balloon-bunch") as Design;
    const stats = await sharp(Buffer.from(cardFrontSvg(design))).stats();
    const spread = stats.channels.map((channel) => channel.stdev);
    expect(Math.max(...spread)).toBeGreaterThan(20);
  });

  it("escapes text in the SVG", () => {
    expect(escapeXml(`<b class="x">Tom & Jerry's</b>`)).toBe(
      "&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/b&gt;",
    );
    const svg = cardFrontSvg({ slug: "wedding-bells", title: `<Bells> & "Bows"` });
    expect(svg).toContain("<title>&lt;Bells&gt; &amp; &quot;Bows&quot;</title>");
    expect(svg).toContain(">Mr &amp; Mrs</text>");
  });

  it("draws the same picture every time and refuses an unknown design", () => {
    const design = designBySlug("starry-birthday") as Design;
    expect(cardFrontSvg(design)).toBe(cardFrontSvg(design));
    expect(() => cardFrontSvg({ slug: "no-such-design", title: "None" })).toThrow(/no-such-design/);
  });
});
