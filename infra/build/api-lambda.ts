// The API Lambda's bundle, as the deploy will make it: origin/api/lambda-handler.ts and everything it
// imports in one ESM file, with the built sign page baked in (esbuild define) since a bundle has no site.
import { build } from "esbuild";

export interface ApiLambdaBuild {
  /** Where the bundle is written (an .mjs file). */
  outfile: string;
  /** The built sign page (dist/site/s/index.html) the API fills in for /s/<signId>. */
  signShell?: string;
}

export async function buildApiLambda({ outfile, signShell }: ApiLambdaBuild): Promise<void> {
  await build({
    entryPoints: ["origin/api/lambda-handler.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    logLevel: "silent",
    ...(signShell === undefined ? {} : { define: { GOODGREETS_SIGN_SHELL: JSON.stringify(signShell) } }),
    // Some bundled CommonJS dependencies call require(); an ESM bundle has to provide it.
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
  });
}
