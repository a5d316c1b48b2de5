// The upload content check over genuine pictures and the attack corpus: each refusal names its problem.
import { describe, expect, it } from "vitest";
import { checkUpload, maxUploadBytes } from "../../origin/uploads/content-check.ts";
import * as corpus from "./corpus.ts";

describe("checkUpload", () => {
  it.each([
    ["a JPEG", () => corpus.jpeg(), "jpeg"],
    ["a PNG", () => corpus.png(), "png"],
    ["a WebP", () => corpus.photo(300, 200).webp().toBuffer(), "webp"],
    ["an AVIF", () => corpus.photo(300, 200).avif().toBuffer(), "avif"],
  ] as const)("accepts %s", async (_, make, format) => {
    expect(await checkUpload(await make())).toMatchObject({ ok: true, format });
  });

  it("accepts an animated GIF and says it is animated: variants show its first frame", async () => {
    expect(await checkUpload(await corpus.animatedGif())).toMatchObject({
      ok: true,
      format: "gif",
      animated: true,
    });
  });

  it.each([
    ["an empty file", async () => Buffer.alloc(0), "empty"],
    ["HTML with an image extension", async () => corpus.htmlWithJpegName(), "not_an_image"],
    ["a JPEG/HTML polyglot", () => corpus.jpegHtmlPolyglot(), "hidden_content"],
    ["an SVG with a script", async () => corpus.scriptSvg(), "svg_not_accepted"],
    ["a truncated JPEG", () => corpus.truncatedJpeg(), "damaged"],
    ["a 60000×60000 decompression bomb", () => corpus.bombPng(), "too_many_pixels"],
    [
      "a file over the size limit",
      async () => Buffer.concat([await corpus.jpeg(), Buffer.alloc(maxUploadBytes)]),
      "too_large",
    ],
    [
      "a PNG signature on garbage",
      async () => Buffer.concat([(await corpus.png()).subarray(0, 8), Buffer.alloc(200, 7)]),
      "unreadable",
    ],
  ])("refuses %s", async (_, make, problem) => {
    const verdict = await checkUpload(await make());
    expect(verdict).toMatchObject({ ok: false, problem });
    expect(verdict.ok || verdict.message.length > 20).toBe(true);
  });
});
