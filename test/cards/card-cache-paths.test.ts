// The URIs a deleted card leaves in the edge's cache, as invalidation paths: exact paths only, so that no
// delete spends one of the 15 wildcard paths CloudFront allows in progress per distribution.
import { describe, expect, it } from "vitest";
import type { CloudFrontFunctionEvent } from "../../edge/aws/cloudfront-function-event.ts";
import { handler as imageViewerRequest } from "../../edge/functions/viewer-request-image.ts";
import { parseVariantPath, variantFormats, variantWidths } from "../../edge/image-variants.ts";
import { cardCachePaths, pictureCachePaths } from "../../origin/edge-cache/card-paths.ts";

const uploadUrl = "/img/uploads/Abc123.png";

describe("a card's cache paths", () => {
  it("names a picture's original and each of its variants exactly, with no wildcard", () => {
    const paths = pictureCachePaths(uploadUrl);
    expect(paths[0]).toBe(uploadUrl);
    expect(paths).toHaveLength(1 + variantWidths.length * variantFormats.length);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((path) => path.includes("*"))).toEqual([]);
    for (const path of paths.slice(1)) expect(parseVariantPath(path)?.originalPath).toBe(uploadUrl);
  });

  it("names the URI the viewer-request function turns any ?w= and Accept into (the cache key's URI)", () => {
    const paths = new Set(pictureCachePaths(uploadUrl));
    for (const w of ["1", "320", "700", "99999", "x"])
      for (const accept of ["image/avif", "image/webp", "text/html", ""]) {
        const event = {
          request: {
            method: "GET",
            uri: uploadUrl,
            querystring: { w: { value: w } },
            headers: { accept: { value: accept } },
          },
        } as unknown as CloudFrontFunctionEvent;
        const rewritten = imageViewerRequest(event) as { uri: string };
        expect(paths.has(rewritten.uri), `${w} ${accept} -> ${rewritten.uri}`).toBe(true);
      }
  });

  it("adds the card's data only once delivered, and no picture paths without a picture", () => {
    const card = { id: "card1", signId: "sign1", uploadUrl: null };
    expect(cardCachePaths({ ...card, status: "scheduled" })).toEqual(["/s/sign1"]);
    expect(cardCachePaths({ ...card, status: "sent", uploadUrl })).toEqual([
      "/api/cards/card1",
      "/s/sign1",
      ...pictureCachePaths(uploadUrl),
    ]);
  });
});
