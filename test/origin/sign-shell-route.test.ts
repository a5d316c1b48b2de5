// The sign page's preview tags point at the site's configured origin, absolute as Open Graph requires,
// whatever Host or forwarding headers a request carries; a site URL that is not an origin fails the start.
import { describe, expect, it } from "vitest";
import { createApp } from "../../origin/api/app.ts";

const signId = "AAAAAAAAAAAAAAAAAAAAAA";
// A card showing a catalog design (no upload).
const row = {
  title: "Happy birthday, Sam!",
  recipient_name: "Sam",
  sender_name: "Alex",
  status: "scheduled",
  locked_at: null,
  deliver_at: "2027-03-01T09:00:00.000Z",
  signature_count: 0,
  design_slug: "balloon-bunch",
  design_title: "Balloon bunch",
  design_alt_text: "Balloons",
  design_image_key: "catalog/balloon-bunch.svg",
  upload_url: null,
  upload_alt: null,
};
const shell = "<html><head><title>Sign the card · GoodGreets</title></head><body></body></html>";

function app(siteUrl: string) {
  return createApp({
    // The one statement the route makes: the sign page's row.
    database: { query: async () => [row] as never[] },
    version: "test",
    signShell: { html: shell, siteUrl },
  });
}

const metaContent = (html: string, name: string) =>
  new RegExp(`<meta (?:property|name)="${name}" content="([^"]*)">`).exec(html)?.[1];

describe("the sign page's preview tags", () => {
  it("name the picture and the page by absolute URLs on the configured origin", async () => {
    const response = await app("https://goodgreets.example").fetch(
      new Request(`https://function.test/s/${signId}`),
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    const image = metaContent(html, "og:image");
    expect(image).toBe("https://goodgreets.example/img/catalog/balloon-bunch.svg?w=960");
    expect(metaContent(html, "twitter:image")).toBe(image);
    expect(metaContent(html, "og:url")).toBe(`https://goodgreets.example/s/${signId}`);
    // The page's first API call, asked for by the HTML while the script loads; same origin, site-relative.
    expect(html).toContain(
      `<link rel="preload" href="/api/sign/${signId}" as="fetch" crossorigin="anonymous"></head>`,
    );
  });

  it("ignore the request's Host and forwarding headers, which the caller chooses", async () => {
    const response = await app("http://127.0.0.1:8080").fetch(
      new Request(`https://abc.lambda-url.us-east-1.on.aws/s/${signId}`, {
        headers: {
          host: "evil.example",
          "x-forwarded-host": "evil.example",
          "x-forwarded-proto": "https",
          forwarded: "host=evil.example;proto=https",
        },
      }),
    );
    const html = await response.text();
    expect(html).not.toContain("evil.example");
    expect(html).not.toContain("lambda-url");
    expect(metaContent(html, "og:image")).toBe("http://127.0.0.1:8080/img/catalog/balloon-bunch.svg?w=960");
    expect(metaContent(html, "og:url")).toBe(`http://127.0.0.1:8080/s/${signId}`);
  });

  it("refuse a site URL that is not an origin when the API is made", () => {
    for (const bad of [
      "goodgreets.example",
      "https://goodgreets.example/",
      "https://goodgreets.example/s",
      "",
    ])
      expect(() => app(bad), bad).toThrow(/must be an origin/);
  });
});
