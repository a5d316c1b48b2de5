// Astro builds the static site that the site bucket serves; srcDir is site/ (the product's layout).
// No UI integration yet: the Preact integration writes its runtime into _astro/ even when no page has an
// island. Add `integrations: [preact()]` (from @astrojs/preact) with the first island.
import { defineConfig } from "astro/config";

export default defineConfig({
  srcDir: "./site",
  // favicon.ico and robots.txt are copied to the site root as they are.
  publicDir: "./site/public",
  outDir: "./dist/site",
  output: "static",
  trailingSlash: "ignore",
  build: { format: "directory", assets: "_astro" },
  telemetry: false,
});
