// The image-variant viewer-request function, built by the edge build and run in the cloudfront-js-2.0 sandbox.
import { describe, expect, it } from "vitest";
import { variantWidths } from "../../edge/image-variants.ts";
import { buildCloudFrontFunction, cloudFrontFunctionMaxBytes } from "../../infra/build/edge.ts";
import {
  compileCloudFrontFunction,
  httpRequestFromFunction,
  httpResponseFromFunction,
  viewerRequestEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";

const code = await buildCloudFrontFunction("edge/functions/viewer-request-image.ts");
const imageFunction = compileCloudFrontFunction({ name: "viewer-request-image", code });
const run = async (uri: string, rawQuery: string, accept?: string) =>
  imageFunction.run(
    viewerRequestEvent({
      method: "GET",
      uri,
      rawQuery,
      headers: [["host", "goodgreets.example"], ...(accept ? [["accept", accept] as [string, string]] : [])],
      viewerIp: "192.0.2.1",
      context: { distributionDomainName: "d1.cloudfront.net", distributionId: "E1", requestId: "r" },
    }),
  );
const uriOf = async (uri: string, rawQuery: string, accept?: string) => {
  const outcome = await run(uri, rawQuery, accept);
  if (outcome.type !== "request") throw new Error(`expected a request, got ${outcome.type}`);
  const request = httpRequestFromFunction(outcome.request);
  return `${request.uri}${request.rawQuery ? `?${request.rawQuery}` : ""}`;
};

const chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
const oldSafari = "image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";

describe("viewer-request-image", () => {
  it("fits CloudFront's function size limit with the shared allowlist bundled in", () => {
    expect(Buffer.byteLength(code)).toBeLessThan(cloudFrontFunctionMaxBytes);
    expect(code).not.toMatch(/\bimport\b/);
  });

  it.each([
    [chrome, "/img/catalog/balloon-bunch.svg/w480.avif"],
    [oldSafari, "/img/catalog/balloon-bunch.svg/w480.webp"],
    ["image/*,*/*", "/img/catalog/balloon-bunch.svg/w480.jpeg"],
    ["image/avif;q=0, image/webp", "/img/catalog/balloon-bunch.svg/w480.webp"],
    [undefined, "/img/catalog/balloon-bunch.svg/w480.jpeg"],
  ])("with Accept %s writes the format into the URI: %s", async (accept, uri) => {
    expect(await uriOf("/img/catalog/balloon-bunch.svg", "w=480", accept)).toBe(uri);
  });

  it.each([
    ["1", 160],
    ["400", 480],
    ["480", 480],
    ["481", 640],
    ["99999", 1920],
    ["abc", 640],
    ["-5", 640],
  ])("snaps w=%s to the allowlisted %i and drops every query parameter", async (w, width) => {
    expect(await uriOf("/img/uploads/a1.jpg", `w=${w}&x=1&utm=y`, "image/webp")).toBe(
      `/img/uploads/a1.jpg/w${width}.webp`,
    );
    expect(variantWidths).toContain(width);
  });

  it("asks for the original when no width is given, without the query", async () => {
    expect(await uriOf("/img/catalog/balloon-bunch.svg", "v=2", chrome)).toBe(
      "/img/catalog/balloon-bunch.svg",
    );
  });

  it.each([
    "/img/../site/index.html",
    "/img/catalog/../../x.jpg",
    "/img/.hidden.jpg",
    "/img/a//b.jpg",
    "/img/a%2F..%2Fb.jpg",
    "/img/a\\b.jpg",
    "/img/",
  ])("refuses the path %s with a 400 before any origin", async (uri) => {
    const outcome = await run(uri, "w=400");
    expect(outcome.type).toBe("response");
    if (outcome.type !== "response") return;
    expect(httpResponseFromFunction(outcome.response).status).toBe(400);
  });
});
