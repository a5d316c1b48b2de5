// The site's origin-response rule: S3's "missing" answers become the site's 404 page; nothing else changes.
import { afterEach, describe, expect, it } from "vitest";
import type { CloudFrontLambdaEvent, CloudFrontLambdaResponse } from "../../edge/aws/lambda-edge-event.ts";
import { errorCachingSeconds } from "../../edge/distribution.ts";
import { handler, siteNotFoundResponse } from "../../edge/lambda/site-not-found.ts";

const page = "<!doctype html><h1>Not found</h1>";
const s3Answer = (status: string): CloudFrontLambdaResponse => ({
  status,
  statusDescription: "S3",
  headers: { "content-type": [{ key: "Content-Type", value: "application/xml" }] },
});

describe("siteNotFoundResponse", () => {
  it.each(["403", "404"])("turns S3's %s into the site's 404 page with the error-caching TTL", (status) => {
    const response = siteNotFoundResponse(s3Answer(status), page);
    expect(response.status).toBe("404");
    expect(response.body).toBe(page);
    expect(response.bodyEncoding).toBe("text");
    expect(response.headers?.["content-type"]?.[0]?.value).toMatch(/^text\/html/);
    expect(response.headers?.["cache-control"]?.[0]?.value).toBe(`public, max-age=${errorCachingSeconds}`);
  });

  it.each(["200", "304", "500", "503"])("leaves %s as the origin sent it", (status) => {
    const answer = s3Answer(status);
    expect(siteNotFoundResponse(answer, page)).toBe(answer);
  });
});

describe("handler", () => {
  const global = globalThis as { __SITE_NOT_FOUND_PAGE__?: string };
  afterEach(() => {
    delete global.__SITE_NOT_FOUND_PAGE__;
  });

  it("uses the page the edge build bakes in", async () => {
    // The build's `define` replaces the name with the page; a global stands in for it here.
    global.__SITE_NOT_FOUND_PAGE__ = page;
    const event = {
      Records: [
        {
          cf: {
            config: {
              distributionDomainName: "d111111abcdef8.cloudfront.net",
              distributionId: "E1",
              eventType: "origin-response",
              requestId: "r",
            },
            request: { clientIp: "192.0.2.1", method: "GET", uri: "/nope/", querystring: "", headers: {} },
            response: s3Answer("403"),
          },
        },
      ],
    } satisfies CloudFrontLambdaEvent;
    expect(await handler(event)).toMatchObject({ status: "404", body: page });
  });
});
