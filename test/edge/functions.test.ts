// The product's CloudFront Functions, run in the cloudfront-js-2.0 sandbox exactly as the edge runs them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compileCloudFrontFunction,
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
  viewerResponseEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";

const load = (file: string) =>
  compileCloudFrontFunction({ name: file, code: readFileSync(`edge/functions/${file}`, "utf8") });
const urlFunction = load("viewer-request-url.js");
const securityHeaders = load("viewer-response-security-headers.js");
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

describe("viewer-response-security-headers", () => {
  it("adds the security headers and keeps one the origin set", async () => {
    const outcome = await securityHeaders.run(
      viewerResponseEvent(request("/"), {
        status: 200,
        statusText: "OK",
        headers: [
          ["Content-Type", "text/html"],
          ["X-Frame-Options", "SAMEORIGIN"],
        ],
      }),
    );
    expect(outcome.type).toBe("response");
    if (outcome.type !== "response") return;
    const headers = new Map(httpResponseFromFunction(outcome.response).headers);
    expect(headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d+/);
    expect(headers.get("Content-Security-Policy")).toContain("script-src 'self'");
  });

  it("stays under the 10 KB function size limit", () => {
    for (const file of ["viewer-request-url.js", "viewer-response-security-headers.js"])
      expect(readFileSync(`edge/functions/${file}`).length).toBeLessThan(10 * 1024);
  });
});
