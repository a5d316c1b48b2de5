// The card's picture as the views and the email give it: a catalog design or the sender's own upload,
// with its variants, and the sender's description escaped wherever it is written into HTML.
import { describe, expect, it } from "vitest";
import { type CardRow, designView } from "../../origin/cards/card-rows.ts";
import { cardEmail } from "../../origin/delivery/email.ts";
import { sampleCardRow } from "../cards/sample-card-row.ts";

const upload = "/img/uploads/AbCdEfGhIjKlMnOpQrStUv.jpg";
/** A card without a catalog design: each test gives it its picture. */
const row = (picture: Partial<CardRow>) =>
  sampleCardRow({
    design_slug: null,
    design_title: null,
    design_alt_text: null,
    design_image_key: null,
    ...picture,
  });

describe("the card's picture", () => {
  it("is the sender's upload with their description and the edge's variants up to 1280 px", () => {
    expect(designView(row({ upload_url: upload, upload_alt: "Our dog" }))).toEqual({
      slug: null,
      title: "The sender’s own picture",
      altText: "Our dog",
      imageUrl: upload,
      srcset: [160, 320, 480, 640, 960, 1280].map((width) => `${upload}?w=${width} ${width}w`).join(", "),
    });
  });

  it("is the catalog design when the card has one", () => {
    const view = designView(
      row({
        design_slug: "balloon-bunch",
        design_title: "Balloon bunch",
        design_alt_text: "Balloons",
        design_image_key: "catalog/balloon-bunch.svg",
      }),
    );
    expect(view).toMatchObject({ slug: "balloon-bunch", imageUrl: "/img/catalog/balloon-bunch.svg" });
    expect(view.srcset).toContain("/img/catalog/balloon-bunch.svg?w=320 320w");
  });

  it("reaches the email as a raster variant, never the heavy original, with the description escaped", () => {
    const { html } = cardEmail(
      row({ upload_url: upload, upload_alt: `Sam "the boss" <b>&</b>` }),
      "https://goodgreets.example",
    );
    expect(html).toContain(`src="https://goodgreets.example${upload}?w=1280"`);
    expect(html).toContain(`alt="Sam &quot;the boss&quot; &lt;b&gt;&amp;&lt;/b&gt;"`);
    expect(html).not.toContain(`src="https://goodgreets.example${upload}"`);
  });
});
