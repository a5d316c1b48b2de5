// The Content-Security-Policy each page gets once a renderer has filled in the placeholders: the create
// page alone allows the WAF CAPTCHA JavaScript API's documented sources in AWS, and nothing broader.
// https://docs.aws.amazon.com/waf/latest/developerguide/waf-javascript-api-csp.html
import { describe, expect, it } from "vitest";
import {
  type DistributionDeclaration,
  distribution,
  withUploadOrigin,
  withWafCaptcha,
} from "../../edge/distribution.ts";
import { matchBehaviour } from "../../infra/local/edge/behaviour-match.ts";

const bucket = "https://goodgreets-images.s3.eu-west-1.amazonaws.com";
const integrationUrl = "https://abc123def456.eu-west-1.captcha-sdk.awswaf.com/abc123def456/jsapi.js";

/** The policy's directives by name, each with its sources. */
function directivesOn(declaration: DistributionDeclaration, path: string): Map<string, string[]> {
  const behaviour = matchBehaviour(declaration.behaviours, path);
  const value = behaviour?.responseHeadersPolicy?.securityHeaders.contentSecurityPolicy.value ?? "";
  return new Map(
    value.split(";").map((directive) => {
      const [name = "", ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

const aws = withWafCaptcha(withUploadOrigin(distribution, bucket), integrationUrl);
const local = withWafCaptcha(withUploadOrigin(distribution, "http://127.0.0.1:4566"), undefined);

describe("the pages' Content-Security-Policy", () => {
  it("allows the WAF CAPTCHA script and its calls on the create pages in AWS, exactly as documented", () => {
    for (const path of ["/create", "/create/", "/create/picture"]) {
      const directives = directivesOn(aws, path);
      expect(directives.get("script-src"), path).toEqual(["'self'", "https://*.awswaf.com"]);
      expect(directives.get("connect-src"), path).toEqual(["'self'", bucket, "https://*.awswaf.com"]);
      expect(directives.get("default-src"), path).toEqual(["'self'"]);
      for (const [name, sources] of directives) {
        expect(sources, name).not.toContain("*");
        expect(
          sources.filter((source) => source.includes("{")),
          name,
        ).toEqual([]);
        if (name !== "style-src") expect(sources, name).not.toContain("'unsafe-inline'");
      }
    }
  });

  it("keeps every other page's policy as it was: no WAF source", () => {
    for (const path of ["/", "/designs/", "/c/abc", "/s/abc", "/api/uploads", "/img/x.jpg"]) {
      const value = [...directivesOn(aws, path)].map(([name, sources]) => [name, ...sources].join(" "));
      expect(value.join("; "), path).toBe(
        `default-src 'self'; connect-src 'self' ${bucket}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
      );
    }
  });

  it("adds nothing locally, where the CAPTCHA script is same-origin", () => {
    const directives = directivesOn(local, "/create/");
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("connect-src")).toEqual(["'self'", "http://127.0.0.1:4566"]);
  });

  it("refuses an integration URL that is not on awswaf.com", () => {
    expect(() => withWafCaptcha(distribution, "https://evil.example/awswaf.com/jsapi.js")).toThrow(
      /not a WAF integration URL/,
    );
    expect(() => withWafCaptcha(distribution, "http://x.awswaf.com/jsapi.js")).toThrow();
  });
});
