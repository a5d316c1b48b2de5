// The one edge build: self-contained CloudFront Functions under the 10 KB limit, Lambda@Edge bundles with
// the site's 404 page baked in, a declaration pointing at the artefacts, and refusals of what CloudFront refuses.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { distribution } from "../../edge/distribution.ts";
import {
  buildCloudFrontFunction,
  buildEdge,
  cloudFrontFunctionMaxBytes,
  type EdgeBuild,
} from "../../infra/build/edge.ts";
import {
  compileCloudFrontFunction,
  viewerRequestEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";

let workDir: string;
let result: EdgeBuild;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "goodgreets-edge-build-"));
  result = await buildEdge({
    distribution,
    repositoryRoot: process.cwd(),
    siteFolder: inject("siteFolder"),
    outDir: join(workDir, "edge"),
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const source = async (name: string, text: string) => {
  const file = join(workDir, name);
  await writeFile(file, text);
  return file;
};

describe("the edge build", () => {
  it("builds every declared function once and points the declaration at the artefacts", () => {
    const declared = new Set(
      distribution.behaviours.flatMap((behaviour) => Object.values(behaviour.functions).map((fn) => fn.name)),
    );
    expect(new Set(result.artefacts.map((artefact) => artefact.name))).toEqual(declared);
    for (const behaviour of result.distribution.behaviours)
      for (const association of Object.values(behaviour.functions)) {
        const file =
          association.kind === "cloudfront-function" ? association.sourceFile : association.moduleFile;
        expect(file.startsWith(join(workDir, "edge"))).toBe(true);
      }
  });

  it("makes CloudFront Functions self-contained scripts under 10 KB that the sandbox runs", async () => {
    const functions = result.artefacts.filter((artefact) => artefact.kind === "cloudfront-function");
    expect(functions.length).toBeGreaterThan(0);
    for (const artefact of functions) {
      expect(artefact.bytes).toBeLessThanOrEqual(cloudFrontFunctionMaxBytes);
      const code = await readFile(artefact.file, "utf8");
      expect(code).not.toMatch(/\bexport\b/);
      const compiled = compileCloudFrontFunction({ name: artefact.name, code });
      const outcome = await compiled.run(
        viewerRequestEvent({
          method: "GET",
          uri: "/designs/",
          rawQuery: "",
          headers: [["host", "goodgreets.example"]],
          viewerIp: "192.0.2.1",
          context: { distributionDomainName: "d.cloudfront.net", distributionId: "E1", requestId: "r" },
        }),
      );
      expect(outcome.type).not.toBe("error");
    }
  });

  it("bakes the built site's 404 page into the Lambda@Edge bundles", async () => {
    const page = await readFile(join(inject("siteFolder"), "404.html"), "utf8");
    const lambdas = result.artefacts.filter((artefact) => artefact.kind === "lambda-edge");
    expect(lambdas.length).toBeGreaterThan(0);
    const siteNotFound = lambdas.find((artefact) => artefact.name.includes("site-not-found"));
    const module = (await import(siteNotFound?.file ?? "")) as {
      handler: (event: unknown) => Promise<{ status: string; body: string }>;
    };
    const answer = await module.handler({
      Records: [{ cf: { config: {}, request: { uri: "/nope/" }, response: { status: "403", headers: {} } } }],
    });
    expect(answer.status).toBe("404");
    expect(answer.body).toBe(page);
  });

  it("inlines shared modules into a CloudFront Function and keeps the runtime's own imports", async () => {
    await source("allowlist.ts", "export const sizes = [320, 640];\nexport const unused = () => 1;\n");
    const file = await source(
      "resize.ts",
      'import crypto from "crypto";\nimport { sizes } from "./allowlist.ts";\nexport function handler(event: { request: unknown }) {\n  crypto.createHash("sha256");\n  return sizes.length ? event.request : event.request;\n}\n',
    );
    const code = await buildCloudFrontFunction(file);
    expect(code).toContain('import crypto from "crypto"');
    expect(code).toContain("sizes = [320, 640]");
    expect(code).not.toContain("unused");
    expect(code).toMatch(/function handler\(event\)/);
  });

  it("refuses a function that imports other modules at run time, exports no handler, or passes 10 KB", async () => {
    const imports = await source(
      "imports.js",
      'import fs from "fs";\nexport function handler(e) { return fs && e; }\n',
    );
    await expect(buildCloudFrontFunction(imports)).rejects.toThrow();
    const noExport = await source("no-export.js", "function handler(event) { return event.request; }\n");
    await expect(buildCloudFrontFunction(noExport)).rejects.toThrow(/must export its handler/);
    const big = await source(
      "big.js",
      `export function handler(event) { event.request.headers.x = { value: "${"x".repeat(cloudFrontFunctionMaxBytes)}" }; return event.request; }\n`,
    );
    const oversized = {
      ...distribution,
      behaviours: [
        {
          ...(distribution.behaviours.at(-1) as (typeof distribution.behaviours)[number]),
          functions: {
            viewerRequest: { kind: "cloudfront-function" as const, name: "big", sourceFile: big },
          },
        },
      ],
    };
    await expect(
      buildEdge({
        distribution: oversized,
        repositoryRoot: process.cwd(),
        siteFolder: inject("siteFolder"),
        outDir: join(workDir, "oversized"),
      }),
    ).rejects.toThrow(/over CloudFront's 10240/);
  });
});
