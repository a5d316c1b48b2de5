// The one edge build: bundles each function the distribution declares from edge/ sources (esbuild) into the
// artefacts the local edge runs and the CDK app deploys, so modules shared by functions are written once.
// CloudFront Functions become self-contained cloudfront-js-2.0 scripts; Lambda@Edge handlers become ESM
// bundles with the build's constants baked in, since Lambda@Edge takes no environment variables.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { build, type Metafile, stop } from "esbuild";
import type {
  CloudFrontFunctionAssociation,
  DistributionDeclaration,
  FunctionAssociations,
  LambdaEdgeAssociation,
} from "../../edge/distribution.ts";
import type { ImageStoreConfig } from "../../edge/lambda/image-resizer.ts";

export interface EdgeBuildOptions {
  distribution: DistributionDeclaration;
  /** Where the associations' source paths are relative to. */
  repositoryRoot: string;
  /** The built Astro site: its 404.html is baked into the site-not-found handler. */
  siteFolder: string;
  /** Emptied, then filled with cloudfront-functions/<name>.js and lambda-edge/<name>/index.mjs. */
  outDir: string;
  /** The images bucket the resizer reads and writes; the deployed bucket in us-east-1 when left out. */
  imageStore?: ImageStoreConfig;
  /**
   * The value the WAF CAPTCHA rule inserts and the upload guard expects (edge/firewall.ts). Fixed at
   * synth: the CDK app passes the one it writes into the web ACL; a fresh random one when left out.
   */
  uploadCaptchaSecret?: string;
}

/** The images bucket of the deployed stack (the CDK app names it so); the Lambda's role signs. */
export const deployedImageStore: ImageStoreConfig = { bucket: "goodgreets-images", region: "us-east-1" };

/**
 * "Maximum compressed size of a Lambda function and any included libraries": 50 MB on origin events,
 * 1 MB on viewer events. The uncompressed size is checked, which is never smaller.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
 */
export const lambdaEdgeOriginPackageMaxBytes = 50 * 1024 * 1024;

export interface EdgeArtefact {
  name: string;
  kind: "cloudfront-function" | "lambda-edge";
  /** Absolute path of the built file. */
  file: string;
  bytes: number;
  /** Lambda@Edge: the bundle with its native dependencies, as deployed. */
  packageBytes?: number;
}

export interface EdgeBuild {
  /** The declaration with every association pointing at its built artefact (absolute paths). */
  distribution: DistributionDeclaration;
  artefacts: EdgeArtefact[];
  /** The secret baked into the upload guard, for the WAF rule that inserts it. */
  uploadCaptchaSecret: string;
}

/**
 * "Maximum function size: 10 KB" (Quotas on CloudFront Functions).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions
 */
export const cloudFrontFunctionMaxBytes = 10 * 1024;

/**
 * The only modules cloudfront-js-2.0 lets a function import.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 */
export const cloudFrontFunctionModules = ["crypto", "querystring", "buffer", "cloudfront"] as const;

type Association = CloudFrontFunctionAssociation | LambdaEdgeAssociation;

/** The constants every edge bundle may read, as esbuild `define` entries (JavaScript expressions). */
async function bakedConstants(
  siteFolder: string,
  imageStore: ImageStoreConfig,
  uploadCaptchaSecret: string,
): Promise<Record<string, string>> {
  const notFoundPage = await readFile(join(siteFolder, "404.html"), "utf8").catch((error: unknown) => {
    throw new Error(`the built site in ${siteFolder} has no 404.html to bake into the edge`, {
      cause: error,
    });
  });
  return {
    __SITE_NOT_FOUND_PAGE__: JSON.stringify(notFoundPage),
    __IMAGE_STORE__: JSON.stringify(imageStore),
    __UPLOAD_CAPTCHA_SECRET__: JSON.stringify(uploadCaptchaSecret),
  };
}

function outputOf(metafile: Metafile) {
  const [output] = Object.values(metafile.outputs);
  if (!output) throw new Error("esbuild wrote no output");
  return output;
}

/** A cloudfront-js-2.0 script: top-level `function handler(event)`, imports of the runtime's modules only. */
export async function buildCloudFrontFunction(
  sourceFile: string,
  define: Record<string, string> = {},
): Promise<string> {
  const result = await build({
    entryPoints: [sourceFile],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    target: "es2020",
    external: [...cloudFrontFunctionModules],
    define,
    legalComments: "none",
    logLevel: "silent",
  });
  const output = outputOf(result.metafile);
  if (output.exports.length !== 1 || output.exports[0] !== "handler")
    throw new Error(
      `${sourceFile} must export its handler and nothing else (export function handler(event)); it exports [${output.exports.join(", ")}]`,
    );
  const foreign = output.imports.filter(
    (entry) => !(cloudFrontFunctionModules as readonly string[]).includes(entry.path),
  );
  if (foreign.length > 0)
    throw new Error(`${sourceFile} imports ${foreign.map((entry) => entry.path).join(", ")} at run time`);
  const text = result.outputFiles?.[0]?.text ?? "";
  // CloudFront calls the top-level handler; the runtime has no module exports.
  const exportAt = text.search(/export\s*\{\s*handler\s*\};?\s*$/);
  if (exportAt === -1) throw new Error(`${sourceFile}: the bundle does not end with its handler export`);
  return `${text.slice(0, exportAt).trimEnd()}\n`;
}

async function buildLambdaEdge(
  sourceFile: string,
  outFile: string,
  define: Record<string, string>,
  external: readonly string[],
) {
  await build({
    entryPoints: [sourceFile],
    outfile: outFile,
    bundle: true,
    format: "esm",
    platform: "node",
    // The newest Node.js runtime Lambda@Edge offers.
    target: "node22",
    define,
    external: [...external],
    legalComments: "none",
    logLevel: "silent",
    // Bundled CommonJS dependencies may still call require() for Node's own modules.
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
  });
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  return total;
}

/**
 * Puts each native dependency beside the bundle (node_modules/<name>, linked to the installed package:
 * the CDK asset step copies through links) and returns the bytes of those packages and everything they
 * load, once each.
 */
async function linkNativeDependencies(
  repositoryRoot: string,
  packageFolder: string,
  names: readonly string[],
): Promise<number> {
  const counted = new Set<string>();
  let total = 0;
  const visit = async (name: string, from: string): Promise<string | undefined> => {
    // Node's own lookup (node_modules folders up the tree); not resolve(), which package exports may refuse.
    const candidates = (createRequire(join(from, "package.json")).resolve.paths(name) ?? []).map((folder) =>
      join(folder, name, "package.json"),
    );
    const manifest = candidates.find((candidate) => existsSync(candidate));
    // An optional dependency for another platform is simply not installed.
    if (!manifest) return undefined;
    const folder = await realpath(dirname(manifest));
    if (counted.has(folder)) return folder;
    counted.add(folder);
    total += await folderBytes(folder);
    const meta = JSON.parse(await readFile(manifest, "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies }))
      await visit(dependency, folder);
    return folder;
  };
  for (const name of names) {
    const folder = await visit(name, repositoryRoot);
    if (!folder) throw new Error(`${name} is not installed; npm install it first`);
    const link = join(packageFolder, "node_modules", name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(folder, link, "dir");
  }
  return total;
}

function associationsOf(functions: FunctionAssociations): Association[] {
  return [
    functions.viewerRequest,
    functions.originRequest,
    functions.originResponse,
    functions.viewerResponse,
  ].filter((association): association is Association => association !== undefined);
}

/**
 * Ends esbuild's helper process (it stays up between builds). A long-running caller that is done building,
 * such as the local stack, calls this so no idle child sits in its process group; a later build starts a new one.
 */
export function stopBuilding(): Promise<void> {
  return stop();
}

export async function buildEdge(options: EdgeBuildOptions): Promise<EdgeBuild> {
  const uploadCaptchaSecret = options.uploadCaptchaSecret ?? randomBytes(32).toString("base64url");
  const define = await bakedConstants(
    options.siteFolder,
    options.imageStore ?? deployedImageStore,
    uploadCaptchaSecret,
  );
  const outDir = resolve(options.outDir);
  await rm(outDir, { recursive: true, force: true });
  const built = new Map<string, EdgeArtefact>();
  for (const behaviour of options.distribution.behaviours) {
    for (const association of associationsOf(behaviour.functions)) {
      if (built.has(association.name)) continue;
      if (association.kind === "cloudfront-function") {
        const code = await buildCloudFrontFunction(
          resolve(options.repositoryRoot, association.sourceFile),
          define,
        );
        const bytes = Buffer.byteLength(code, "utf8");
        if (bytes > cloudFrontFunctionMaxBytes)
          throw new Error(
            `CloudFront Function ${association.name} is ${bytes} bytes built, over CloudFront's ${cloudFrontFunctionMaxBytes}`,
          );
        const file = join(outDir, "cloudfront-functions", `${association.name}.js`);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, code);
        built.set(association.name, { name: association.name, kind: association.kind, file, bytes });
      } else {
        // One folder per function: the deployment package Lambda takes as a code asset.
        const file = join(outDir, "lambda-edge", association.name, "index.mjs");
        const native = association.nativeDependencies ?? [];
        await buildLambdaEdge(resolve(options.repositoryRoot, association.moduleFile), file, define, native);
        const bytes = (await readFile(file)).length;
        const packageBytes =
          bytes + (await linkNativeDependencies(options.repositoryRoot, dirname(file), native));
        if (packageBytes > lambdaEdgeOriginPackageMaxBytes)
          throw new Error(
            `Lambda@Edge ${association.name} is ${packageBytes} bytes with its dependencies, over ${lambdaEdgeOriginPackageMaxBytes}`,
          );
        built.set(association.name, {
          name: association.name,
          kind: association.kind,
          file,
          bytes,
          packageBytes,
        });
      }
    }
  }

  const artefactOf = (association: Association) => {
    const artefact = built.get(association.name);
    if (!artefact) throw new Error(`${association.name} was not built`);
    return artefact.file;
  };
  const rebound = <A extends Association | undefined>(association: A): A => {
    if (!association) return association;
    return (
      association.kind === "cloudfront-function"
        ? { ...association, sourceFile: artefactOf(association) }
        : { ...association, moduleFile: artefactOf(association) }
    ) as A;
  };
  const distribution: DistributionDeclaration = {
    ...options.distribution,
    behaviours: options.distribution.behaviours.map((behaviour) => ({
      ...behaviour,
      functions: Object.fromEntries(
        Object.entries(behaviour.functions).map(([event, association]) => [event, rebound(association)]),
      ) as FunctionAssociations,
    })),
  };
  return { distribution, artefacts: [...built.values()], uploadCaptchaSecret };
}

// `npm run build:edge`: the artefacts the CDK app deploys, from the site astro built.
if (import.meta.main) {
  const { distribution } = await import("../../edge/distribution.ts");
  const repositoryRoot = resolve(import.meta.dirname, "../..");
  const result = await buildEdge({
    distribution,
    repositoryRoot,
    siteFolder: join(repositoryRoot, "dist/site"),
    outDir: join(repositoryRoot, "dist/edge"),
  });
  for (const artefact of result.artefacts)
    console.log(
      `${artefact.kind.padEnd(19)} ${artefact.name.padEnd(48)} ${artefact.bytes} bytes` +
        (artefact.packageBytes !== undefined ? `, package ${artefact.packageBytes} bytes` : ""),
    );
}
