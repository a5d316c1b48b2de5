// Astro builds the static site that the site bucket serves; srcDir is site/ (the product's layout).
// Preact renders the flow's forms (create, sign, organiser, card). Each page mounts its form from one
// bundled module script (site/islands/mount.ts), not through `client:*`: Astro's island runtime is an inline
// <script>, which the CSP's `script-src 'self'` (edge/distribution.ts) refuses. The catalog ships none.
import preact from "@astrojs/preact";
import { defineConfig } from "astro/config";

export default defineConfig({
  srcDir: "./site",
  // favicon.ico and robots.txt are copied to the site root as they are.
  publicDir: "./site/public",
  outDir: "./dist/site",
  output: "static",
  trailingSlash: "ignore",
  build: { format: "directory", assets: "_astro" },
  integrations: [preact()],
  // Never inline a script into the page: the CSP allows only same-origin script files.
  // No modulepreload helper: the few on-demand chunks (the share view, the edit form) load when asked for,
  // and the helper would cost every island page half a kilobyte.
  vite: { build: { assetsInlineLimit: 0, modulePreload: false } },
  telemetry: false,
});
