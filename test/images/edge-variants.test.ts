// Image variants through the whole local stack: the viewer-request function, the images bucket, the
// resizer on a miss, the cache on the next request; one cached object per format, off-list widths snapped.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAccessLog } from "../../infra/local/edge/access-log.ts";
import type { LocalStack } from "../../infra/local/stack.ts";
import { startTestStack, type TestStack } from "../local/test-stack.ts";

let testStack: TestStack | undefined;
let stack: LocalStack;

beforeAll(async () => {
  testStack = await startTestStack("images-stack");
  stack = testStack.stack;
}, 120_000);

afterAll(async () => {
  await testStack?.close();
});

const get = (path: string, accept?: string) =>
  fetch(`${stack.edge.url}${path}`, { headers: accept ? { accept } : {}, redirect: "manual" });

describe("image variants through the local edge", { timeout: 60_000 }, () => {
  it("renders a variant on the first request (a Miss) and serves it from the cache on the second", async () => {
    const first = await get("/img/catalog/balloon-bunch.svg?w=320", "image/webp,*/*");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("Miss from cloudfront");
    expect(first.headers.get("content-type")).toBe("image/webp");
    expect(first.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const bytes = Buffer.from(await first.arrayBuffer());
    expect((await sharp(bytes).metadata()).width).toBe(320);

    const second = await get("/img/catalog/balloon-bunch.svg?w=320", "image/webp,*/*");
    expect(second.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect(Buffer.from(await second.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("snaps an off-list width onto the allowlisted variant instead of rendering a new one", async () => {
    await get("/img/catalog/candles-and-cake.svg?w=480", "image/webp");
    const snapped = await get("/img/catalog/candles-and-cake.svg?w=450&utm_source=mail", "image/webp");
    expect(snapped.headers.get("x-cache")).toBe("Hit from cloudfront");
    expect((await sharp(Buffer.from(await snapped.arrayBuffer())).metadata()).width).toBe(480);
  });

  it("keeps one cached object per format: AVIF, WebP and neither", async () => {
    const accepts = ["image/avif,image/webp,*/*", "image/webp,*/*", "*/*"];
    const types = [];
    for (const accept of accepts)
      types.push((await get("/img/catalog/thank-you-bouquet.svg?w=160", accept)).headers.get("content-type"));
    expect(types).toEqual(["image/avif", "image/webp", "image/jpeg"]);
    const again = [];
    for (const accept of accepts) {
      const response = await get("/img/catalog/thank-you-bouquet.svg?w=160", accept);
      again.push([response.headers.get("x-cache"), response.headers.get("content-type")]);
    }
    expect(again).toEqual(types.map((type) => ["Hit from cloudfront", type]));

    await stack.edge.accessLog?.flush();
    const text = (
      await Promise.all(
        (
          await readdir(stack.accessLogDirectory)
        ).map((file) => readFile(join(stack.accessLogDirectory, file), "utf8")),
      )
    ).join("");
    const records = parseAccessLog(text).filter(
      (record) => record["cs-uri-stem"] === "/img/catalog/thank-you-bouquet.svg",
    );
    expect(records.map((record) => record["x-edge-result-type"])).toEqual([
      "Miss",
      "Miss",
      "Miss",
      "Hit",
      "Hit",
      "Hit",
    ]);
  });

  it("refuses a path-traversal key at the edge and answers a missing picture with a plain 404", async () => {
    expect((await get("/img/catalog/..%2F..%2Fsite%2Findex.html?w=320")).status).toBe(400);
    const missing = await get("/img/catalog/no-such-design.svg?w=320", "image/webp");
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toMatch(/<Error>|Bucket/);
  });
});
