// The publisher's Cache-Control comes from the distribution's cache policies, not from its own list.
import { describe, expect, it } from "vitest";
import { distribution, hashedAssets, images, sitePages } from "../../edge/distribution.ts";
import { cacheControlFor, contentTypeFor } from "../../infra/local/site-publisher.ts";

describe("cacheControlFor", () => {
  it("follows the policy of the behaviour that serves the key", () => {
    expect(cacheControlFor("_astro/index.1a2b3c.css")).toBe(
      `public, max-age=${hashedAssets.maxTtlSeconds}, immutable`,
    );
    expect(cacheControlFor("designs/birthday/index.html")).toBe(
      `public, max-age=0, s-maxage=${sitePages.defaultTtlSeconds}, must-revalidate`,
    );
    expect(cacheControlFor("img/catalog/balloon-bunch.svg")).toBe(
      `public, max-age=${images.defaultTtlSeconds}`,
    );
    expect(contentTypeFor("favicon.ico")).toBe("image/x-icon");
  });

  it("changes when the declaration does: the TTLs are written once", () => {
    const behaviours = distribution.behaviours.map((behaviour) =>
      behaviour.pathPattern === "*"
        ? { ...behaviour, cachePolicy: { ...behaviour.cachePolicy, defaultTtlSeconds: 42 } }
        : behaviour,
    );
    expect(cacheControlFor("index.html", behaviours)).toBe("public, max-age=0, s-maxage=42, must-revalidate");
    const hashedElsewhere = distribution.behaviours.map((behaviour) =>
      behaviour.pathPattern === "/_astro/*" ? { ...behaviour, pathPattern: "/assets/*" } : behaviour,
    );
    expect(cacheControlFor("assets/app.js", hashedElsewhere)).toMatch(/immutable$/);
    expect(cacheControlFor("_astro/app.js", hashedElsewhere)).not.toMatch(/immutable/);
  });
});
