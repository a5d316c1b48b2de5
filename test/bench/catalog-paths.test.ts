// The burst's and the bench's URL mix: every catalog page and picture, and the build's own files.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { categories, designs } from "../../site/catalog/designs.ts";
import { catalogPaths, viewerPath } from "./catalog-paths.ts";

it("names a built file by the path a viewer asks for", () => {
  expect(viewerPath("index.html")).toBe("/");
  expect(viewerPath(join("designs", "birthday", "index.html"))).toBe("/designs/birthday/");
  expect(viewerPath(join("_astro", "Base.abc.css"))).toBe("/_astro/Base.abc.css");
});

it("lists every category page and design picture, and the build's files but not its 404 page", async () => {
  const site = await mkdtemp(join(tmpdir(), "catalog-paths-"));
  try {
    await mkdir(join(site, "_astro"));
    await writeFile(join(site, "_astro", "Base.abc.css"), "");
    await writeFile(join(site, "404.html"), "");
    await writeFile(join(site, "robots.txt"), "");
    const paths = await catalogPaths(site);
    expect(paths).toContain("/");
    for (const category of categories) expect(paths).toContain(`/designs/${category.slug}/`);
    for (const design of designs) expect(paths).toContain(`/img/${design.imageKey}`);
    expect(paths).toContain("/_astro/Base.abc.css");
    expect(paths).toContain("/robots.txt");
    expect(paths).not.toContain("/404.html");
    expect(new Set(paths).size).toBe(paths.length);
  } finally {
    await rm(site, { recursive: true, force: true });
  }
});

it("lists the catalog from its data alone when no build is at hand", async () => {
  const paths = await catalogPaths();
  expect(paths).toHaveLength(1 + categories.length + designs.length);
});
