// Astro builds the static site that the site bucket serves; srcDir is site/ (the product's layout).
import preact from "@astrojs/preact";
import { defineConfig } from "astro/config";

export default defineConfig({
  srcDir: "./site",
  outDir: "./dist/site",
  output: "static",
  trailingSlash: "ignore",
  build: { format: "directory", assets: "_astro" },
  integrations: [preact()],
  telemetry: false,
});
