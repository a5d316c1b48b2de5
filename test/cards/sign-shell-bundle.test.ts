// The API Lambda bundle with the sign page baked in (esbuild define, as the deploy bundles it) serves
// /s/<signId>; an id of the wrong shape gets the page as a 404 without a database call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionUrlEvent, type LoadedBundle, loadApiBundle } from "../origin/api-bundle.ts";

const shell = "<html><head><title>Sign the card · GoodGreets</title></head><body>sign</body></html>";
let bundle: LoadedBundle;

beforeAll(async () => {
  bundle = await loadApiBundle({ signShell: shell });
}, 60_000);

afterAll(async () => {
  await bundle?.close();
});

describe("the API bundle with the sign page baked in", () => {
  it("answers a sign link with the page", async () => {
    const result = await bundle.handler(functionUrlEvent("GET", "/s/not-an-id"), { awsRequestId: "r1" });
    expect(result.statusCode).toBe(404);
    expect(result.headers?.["content-type"]).toMatch(/^text\/html/);
    expect(result.body).toBe(shell);
  });
});
