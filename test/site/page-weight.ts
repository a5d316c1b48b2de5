// Measures what a built page makes the browser download: its module scripts and every chunk they import,
// gzipped, split into what loads with the page and what loads only on demand: a dynamic import(), or the
// module scripts of another page that a script fetches and runs (the create form's upload, which
// site/islands/create/upload-loader.ts loads from /create/picture/ rather than by import()).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface PageScripts {
  /** Chunks loaded with the page: the page's scripts and their static imports, transitively. */
  initial: string[];
  /** Chunks only a dynamic import() or a fetched page's scripts reach, beyond the initial ones. */
  onDemand: string[];
  /** The pages whose module scripts a script fetches and runs (their site paths, such as /create/picture/). */
  fetchedPages: string[];
}

// Minified chunks name each other relatively: `import{a as b}from"./x.js"`, `import"./x.js"`, `import(\`./x.js\`)`.
const staticImport = /(?:^|[;}\s])import\s*(?:[^"'`();]*?from\s*)?["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g;
const dynamicImport = /import\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g;
const scriptSource = /<script\b[^>]*\bsrc="(\/_astro\/[^"]+\.js)"/g;
// A page fetched by its site path (`fetch(\`/create/picture/\`)`): a path ending in "/" is a built page's.
const fetchedPage = /\bfetch\(\s*["'`](\/(?:[\w-]+\/)+)["'`]\s*\)/g;

/** The site paths of the module scripts a page's HTML names. */
export function pageScriptSources(html: string): string[] {
  return [...html.matchAll(scriptSource)].map((match) => match[1] ?? "");
}

function resolveChunk(from: string, specifier: string): string {
  return new URL(specifier, `https://site${from}`).pathname;
}

/** Follows the imports of a page's scripts through the built site in `outDir`. */
export async function pageScripts(outDir: string, html: string): Promise<PageScripts> {
  const read = (path: string) => readFile(join(outDir, path), "utf8");
  const initial = new Set<string>();
  const dynamic = new Set<string>();
  const fetchedPages = new Set<string>();
  const walk = async (path: string, into: Set<string>) => {
    if (initial.has(path) || into.has(path)) return;
    into.add(path);
    const code = await read(path);
    for (const match of code.matchAll(staticImport)) await walk(resolveChunk(path, match[1] ?? ""), into);
    for (const match of code.matchAll(dynamicImport)) dynamic.add(resolveChunk(path, match[1] ?? ""));
    for (const match of code.matchAll(fetchedPage)) {
      const page = join(match[1] ?? "", "index.html");
      // Only a page this build has; another path fetched this way is not a script's home.
      if (!existsSync(join(outDir, page))) continue;
      fetchedPages.add(match[1] ?? "");
      for (const source of pageScriptSources(await read(page))) dynamic.add(source);
    }
  };
  for (const source of pageScriptSources(html)) await walk(source, initial);
  const onDemand = new Set<string>();
  for (const path of dynamic) await walk(path, onDemand);
  return {
    initial: [...initial],
    onDemand: [...onDemand].filter((path) => !initial.has(path)),
    fetchedPages: [...fetchedPages],
  };
}

/** Gzipped bytes of the given site paths together (each file compressed on its own, as served). */
export async function gzippedBytes(outDir: string, paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += gzipSync(await readFile(join(outDir, path))).length;
  return total;
}
