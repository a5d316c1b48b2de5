// The API Lambda as it will be deployed: one esbuild bundle of origin/api/lambda-handler.ts, run from a
// folder with no package.json, configured by its environment alone.
import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionUrlEvent, type LoadedBundle, loadApiBundle } from "./api-bundle.ts";

let bundle: LoadedBundle;

beforeAll(async () => {
  bundle = await loadApiBundle();
}, 60_000);

afterAll(async () => {
  await bundle?.close();
});

describe("the API Lambda bundle", () => {
  it("is one file that answers from its environment alone", async () => {
    expect(await readdir(bundle.folder)).toEqual(["index.mjs"]);
    const result = await bundle.handler(functionUrlEvent("GET", "/api/nothing"), { awsRequestId: "r1" });
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? "")).toEqual({
      error: { code: "not_found", message: "There is no /api/nothing." },
    });
    const badPath = await bundle.handler(functionUrlEvent("GET", "/api/%ff"), { awsRequestId: "r2" });
    expect(badPath.statusCode).toBe(400);
  });

  it("has the upload routes, on the images bucket its environment names", async () => {
    const check = functionUrlEvent("POST", "/api/uploads/short/check");
    const result = await bundle.handler(check, { awsRequestId: "r3" });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? "").error.code).toBe("invalid_upload_id");
  });
});
