// An Astro integration: each built page names, in <link rel="modulepreload"> in its head, every module its
// script imports statically, so a phone fetches them all at once instead of one round trip per level of
// imports before the page's form can draw (npm run bench -- lighthouse). Vite's own preload injection is
// off (astro.config.mjs): it is a runtime helper for on-demand chunks, and Astro's pages do not use it.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";

/** A built page's module scripts: `<script type="module" src="/_astro/…">`. */
const moduleScript = /<script type="module" src="(\/_astro\/[^"]+\.js)"><\/script>/g;
/** A static import in Vite's output (`from"./x.js"`, `import"./x.js"`); `import(…)` is on demand, not matched. */
const staticImport = /(?:\bfrom|\bimport)\s*"\.\/([^"]+\.js)"/g;

/** The modules `entry` (a site path under /_astro/) imports statically, directly or not, once each. */
async function staticImports(siteFolder: string, entry: string): Promise<string[]> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const code = await readFile(join(siteFolder, path), "utf8");
    const folder = path.slice(0, path.lastIndexOf("/") + 1);
    for (const [, relative] of code.matchAll(staticImport)) {
      const imported = `${folder}${relative}`;
      if (!seen.has(imported)) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  seen.delete(entry);
  return [...seen];
}

async function htmlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".html"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Adds the preload links to every built page with a module script. */
export async function addModulePreloads(siteFolder: string): Promise<void> {
  for (const file of await htmlFiles(siteFolder)) {
    const html = await readFile(file, "utf8");
    const entries = [...html.matchAll(moduleScript)].map(([, src]) => src as string);
    if (entries.length === 0) continue;
    const modules = new Set<string>();
    for (const entry of entries)
      for (const module of await staticImports(siteFolder, entry)) modules.add(module);
    const links = [...modules].map((module) => `<link rel="modulepreload" href="${module}">`).join("");
    if (!html.includes("</head>")) throw new Error(`${file} has no </head> to put its module preloads in`);
    await writeFile(
      file,
      html.replace("</head>", () => `${links}</head>`),
    );
  }
}

export function modulePreloads(): AstroIntegration {
  return {
    name: "goodgreets-module-preloads",
    hooks: {
      "astro:build:done": async ({ dir }) => addModulePreloads(fileURLToPath(dir)),
    },
  };
}
