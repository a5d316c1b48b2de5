// The product's CloudFront Functions, run in the cloudfront-js-2.0 sandbox exactly as the edge runs them.
import { describe, expect, it } from "vitest";
import { buildCloudFrontFunction } from "../../infra/build/edge.ts";
import {
  compileCloudFrontFunction,
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";

// The artefact the edge build makes, as the local edge and CloudFront run it.
const load = async (file: string) =>
  compileCloudFrontFunction({ name: file, code: await buildCloudFrontFunction(`edge/functions/${file}`) });
const urlFunction = await load("viewer-request-url.js");
const context = {
  distributionDomainName: "d111111abcdef8.cloudfront.net",
  distributionId: "E1",
  requestId: "r",
};
const request = (uri: string, rawQuery = "") =>
  viewerRequestEvent({
    method: "GET",
    uri,
    rawQuery,
    headers: [["host", "goodgreets.example"]],
    viewerIp: "192.0.2.1",
    context,
  });

describe("viewer-request-url", () => {
  it.each([
    ["/", "/index.html"],
    ["/designs/birthday/", "/designs/birthday/index.html"],
    ["//designs//birthday/", "/designs/birthday/index.html"],
    ["/_astro/site.1a2b.css", "/_astro/site.1a2b.css"],
    ["/img/catalog/balloon-bunch.svg", "/img/catalog/balloon-bunch.svg"],
    ["/favicon.svg", "/favicon.svg"],
  ])("maps %s to the object %s", async (uri, key) => {
    const outcome = await urlFunction.run(request(uri));
    expect(outcome.type === "request" && httpRequestFromFunction(outcome.request).uri).toBe(key);
  });

  it("redirects a folder named without its slash, keeping the query string", async () => {
    const outcome = await urlFunction.run(request("/designs/birthday", "ref=mail&ref=again"));
    expect(outcome.type).toBe("response");
    if (outcome.type !== "response") return;
    const response = httpResponseFromFunction(outcome.response);
    expect(response.status).toBe(301);
    expect(response.headers).toContainEqual(["Location", "/designs/birthday/?ref=mail&ref=again"]);
  });
});
