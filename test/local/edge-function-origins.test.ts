// Through the local edge: a CloudFront Function's origin helpers choose and shape the origin request, and a
// Lambda@Edge function with Include Body sees and replaces the viewer's body.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  allViewerExceptHostHeader,
  type BehaviourDeclaration,
  cachingDisabled,
  type DistributionDeclaration,
} from "../../edge/distribution.ts";
import { overriddenOrigin, withOriginCustomHeaders } from "../../infra/local/edge/origin-override.ts";
import { type LocalEdge, startLocalEdge } from "../../infra/local/edge/server.ts";
import { TestOrigin } from "./edge-test-origin.ts";

const connection = { attempts: 1, connectionTimeoutSeconds: 2, readTimeoutSeconds: 30 } as const;
const base = {
  cachePolicy: cachingDisabled,
  originRequestPolicy: allViewerExceptHostHeader,
  allowedMethods: "ALL",
  viewerProtocolPolicy: "https-only",
  compress: false,
} as const satisfies Partial<BehaviourDeclaration>;

const declaration: DistributionDeclaration = {
  comment: "origin helpers and Include Body",
  origins: [
    { id: "site", kind: "s3-bucket", bucket: "site", connection },
    { id: "images", kind: "s3-bucket", bucket: "images", connection },
  ],
  behaviours: [
    {
      ...base,
      pathPattern: "/viewer-body/*",
      originId: "site",
      functions: {
        viewerRequest: { kind: "lambda-edge", name: "shout", moduleFile: "shout.mjs", includeBody: true },
      },
    },
    {
      ...base,
      pathPattern: "/origin-body/*",
      originId: "site",
      functions: {
        originRequest: { kind: "lambda-edge", name: "shout", moduleFile: "shout.mjs", includeBody: true },
      },
    },
    {
      ...base,
      pathPattern: "*",
      originId: "site",
      functions: {
        viewerRequest: { kind: "cloudfront-function", name: "route", sourceFile: "route.js" },
      },
    },
  ],
  customErrorResponses: [],
};

const route = `import cf from 'cloudfront';
function handler(event) {
  const request = event.request;
  if (request.uri.startsWith('/moved/')) {
    cf.selectRequestOriginById('images');
    cf.updateRequestOrigin({ originPath: '/v2', customHeaders: { 'x-tenant': 'blue' }, timeouts: { readTimeout: 1 } });
  }
  return request;
}`;

// Replaces the body with what it saw, upper-cased, or with how much it saw of a truncated one.
const shout = `export async function handler(event) {
  const request = event.Records[0].cf.request;
  const seen = Buffer.from(request.body.data, "base64").toString();
  request.body.action = "replace";
  request.body.encoding = "text";
  request.body.data = request.body.inputTruncated ? "truncated at " + seen.length : seen.toUpperCase();
  return request;
}`;

let folder: string;
let origin: TestOrigin;
let edge: LocalEdge;
const diagnostics: string[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "edge-function-origins-"));
  await writeFile(join(folder, "route.js"), route);
  await writeFile(join(folder, "shout.mjs"), shout);
  origin = new TestOrigin();
  await origin.start();
  edge = await startLocalEdge({
    distribution: declaration,
    origins: { site: { url: `${origin.url}/site-bucket` }, images: { url: `${origin.url}/images-bucket` } },
    repositoryRoot: folder,
    log: (message) => diagnostics.push(message),
  });
});

afterAll(async () => {
  await edge?.close();
  await origin?.stop();
  await rm(folder, { recursive: true, force: true });
});

beforeEach(() => {
  origin.seen.length = 0;
  origin.answers.clear();
});

const send = (path: string, init: RequestInit = {}) => fetch(`${edge.url}${path}`, init);

describe("the origin helpers, honoured by the local edge", () => {
  it("sends the request to the selected origin, under its origin path, with its custom headers", async () => {
    origin.answers.set("/images-bucket/v2/moved/card.txt", () => ({ body: "from images" }));
    const moved = await send("/moved/card.txt", { headers: { "X-Tenant": "red" } });
    expect(await moved.text()).toBe("from images");
    const [seen] = origin.seen;
    expect(seen?.url).toBe("/images-bucket/v2/moved/card.txt");
    expect(seen?.headers["x-tenant"]).toBe("blue");

    origin.seen.length = 0;
    origin.answers.set("/site-bucket/card.txt", () => ({ body: "from site" }));
    expect(await (await send("/card.txt", { headers: { "X-Tenant": "red" } })).text()).toBe("from site");
    expect(origin.seen[0]?.headers["x-tenant"]).toBe("red");
  });

  it("uses the read timeout the function set", async () => {
    origin.answers.set("/images-bucket/v2/moved/slow.txt", () => ({ body: "late", delayMs: 2500 }));
    // The declared read timeout is 30 s; the function's 1 s gives CloudFront's 504 instead of the object.
    expect((await send("/moved/slow.txt")).status).toBe(504);
  }, 20_000);

  it("says what the local edge does not honour", () => {
    const chosen = overriddenOrigin(declaration, "site", {
      target: {
        group: { originIds: ["images", "site"], failoverStatusCodes: [503], selectionCriteria: "default" },
      },
      update: { domainName: "example.com", connectionAttempts: 2, timeouts: { keepAliveTimeout: 5 } },
    });
    expect(chosen.declaration.id).toBe("images");
    expect(chosen.connection).toEqual({ ...connection, attempts: 2 });
    expect(chosen.notHonoured).toEqual([
      expect.stringMatching(/failover to origin site/),
      "domainName example.com",
      "timeouts.keepAliveTimeout",
    ]);
    expect(
      withOriginCustomHeaders(
        [
          ["X-Tenant", "red"],
          ["Accept", "*/*"],
        ],
        [["x-tenant", "blue"]],
      ),
    ).toEqual([
      ["Accept", "*/*"],
      ["x-tenant", "blue"],
    ]);
  });
});

describe("Include Body, honoured by the local edge", () => {
  it.each(["/viewer-body/echo", "/origin-body/echo"])("sends the body %s replaced", async (path) => {
    await send(path, { method: "POST", body: "hello card" });
    expect(origin.seen[0]?.body.toString()).toBe("HELLO CARD");
  });

  it("shows a viewer-request function only the first 40 KB", async () => {
    await send("/viewer-body/echo", { method: "POST", body: "a".repeat(50 * 1024) });
    expect(origin.seen[0]?.body.toString()).toBe(`truncated at ${40 * 1024}`);
  });
});
