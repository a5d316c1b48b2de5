// Astro builds the static site that the site bucket serves; srcDir is site/ (the product's layout).
// Preact renders the flow's forms (create, sign, organiser, card). Each page mounts its form from one
// bundled module script (site/islands/mount.ts), not through `client:*`: Astro's island runtime is an inline
// <script>, which the CSP's `script-src 'self'` (edge/distribution.ts) refuses. The catalog ships none.
// So no Astro renderer for Preact either (@astrojs/preact): nothing hydrates through it, and its client
// entry, built all the same, kept Preact and its hooks in chunks of their own, one more file on each page.
// JSX compiles to Preact's runtime by tsconfig.json's jsxImportSource.
import { defineConfig } from "astro/config";

export default defineConfig({
  srcDir: "./site",
  // favicon.ico and robots.txt are copied to the site root as they are.
  publicDir: "./site/public",
  outDir: "./dist/site",
  output: "static",
  trailingSlash: "ignore",
  // Stylesheets inline in each page: a few KB, where a <link> costs a render-blocking round trip before
  // the first paint (Lighthouse mobile, npm run bench -- lighthouse). The CSP allows inline styles.
  build: { format: "directory", assets: "_astro", inlineStylesheets: "always" },
  // Never inline a script into the page: the CSP allows only same-origin script files.
  // No modulepreload helper: the few on-demand chunks (the share view, the edit form) load when asked for,
  // and the helper would cost every island page half a kilobyte.
  vite: { build: { assetsInlineLimit: 0, modulePreload: false } },
  telemetry: false,
});
