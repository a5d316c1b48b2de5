// The edge declaration itself: values CloudFront would refuse, and the rules the product relies on.
import { describe, expect, it } from "vitest";
import {
  capabilityPageHeaders,
  createPageHeaders,
  distribution,
  goodGreetsHeaders,
} from "../../edge/distribution.ts";
import { checkResponseHeadersPolicy } from "../../infra/local/edge/response-headers-policy.ts";

describe("the distribution declaration", () => {
  it("declares origin connection settings inside CloudFront's ranges", () => {
    for (const origin of distribution.origins) {
      const { attempts, connectionTimeoutSeconds, readTimeoutSeconds } = origin.connection;
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(3);
      expect(connectionTimeoutSeconds).toBeGreaterThanOrEqual(1);
      expect(connectionTimeoutSeconds).toBeLessThanOrEqual(10);
      expect(readTimeoutSeconds).toBeGreaterThanOrEqual(1);
      expect(readTimeoutSeconds).toBeLessThanOrEqual(120);
    }
  });

  it("puts the security headers policy on every behaviour, and it is one CloudFront accepts", () => {
    const capabilityPaths = ["/api/cards/*", "/c/*", "/s/*", "/o/*"];
    for (const behaviour of distribution.behaviours)
      expect(behaviour.responseHeadersPolicy, behaviour.pathPattern).toBe(
        capabilityPaths.includes(behaviour.pathPattern)
          ? capabilityPageHeaders
          : behaviour.pathPattern === "/create*"
            ? createPageHeaders
            : goodGreetsHeaders,
      );
    expect(() => checkResponseHeadersPolicy(goodGreetsHeaders)).not.toThrow();
    expect(() => checkResponseHeadersPolicy(capabilityPageHeaders)).not.toThrow();
    // Capability pages keep every security header and add no-referrer and noindex.
    expect(capabilityPageHeaders.securityHeaders).toEqual({
      ...goodGreetsHeaders.securityHeaders,
      referrerPolicy: { value: "no-referrer", override: true },
    });
    expect(capabilityPageHeaders.customHeaders).toContainEqual({
      name: "X-Robots-Tag",
      value: "noindex, nofollow",
      override: true,
    });
    expect(() => checkResponseHeadersPolicy({ ...goodGreetsHeaders, removeHeaders: ["X-Cache"] })).toThrow(
      /X-Cache/,
    );
  });

  it("removes S3's own headers by exact name", () => {
    const removed = goodGreetsHeaders.removeHeaders.map((name) => name.toLowerCase());
    for (const name of [
      "server",
      "x-amz-id-2",
      "x-amz-request-id",
      "x-amz-server-side-encryption",
      "x-amz-version-id",
    ])
      expect(removed).toContain(name);
  });

  it("maps missing pages to the site's 404 page on the site behaviours only", () => {
    for (const behaviour of distribution.behaviours) {
      const origin = distribution.origins.find((candidate) => candidate.id === behaviour.originId);
      const siteBehaviour = origin?.kind === "s3-bucket" && origin.bucket === "site";
      expect(behaviour.functions.originResponse?.moduleFile === "edge/lambda/site-not-found.ts").toBe(
        siteBehaviour,
      );
      // Viewer-response functions never run at 400 and above: headers come from the policy instead.
      expect(behaviour.functions.viewerResponse).toBeUndefined();
    }
    // Distribution-wide error pages would replace the API's JSON errors too.
    expect(distribution.customErrorResponses).toEqual([]);
  });
});
