// The API's refusals write an apostrophe in prose as the pages' labels do (’, "Recipient’s name"), so a
// message shown under a field matches its label; field names and JSON keys stay plain ASCII.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { organiserSecretHeader, requireSecret } from "../../origin/api/capability-headers.ts";
import { ApiError } from "../../origin/api/errors.ts";
import { secretHash } from "../../origin/cards/capability.ts";
import { createCardBody } from "../../origin/cards/schema.ts";

describe("apostrophes in the API's messages", () => {
  it("are typographic in every refusal of a card's fields", () => {
    const refused = v.safeParse(createCardBody, {
      design: "Not A Slug",
      title: "",
      recipientName: "",
      recipientEmail: "",
      senderName: "",
      senderEmail: "",
      deliverAt: "soon",
      timeZone: "Mars/Olympus",
      upload: { url: "/elsewhere.jpg", alt: "" },
    });
    const messages = refused.issues?.map((issue) => issue.message) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        "The design must be a design’s slug, such as balloon-bunch.",
        "The recipient’s name is required.",
        "The recipient’s email is required.",
        "The picture’s url must be the one its upload check answered.",
      ]),
    );
    expect(messages.filter((message) => message.includes("'"))).toEqual([]);
  });

  it("are typographic in a wrong secret's refusal, which names the header as it is spelt", () => {
    const request = new Request("https://api.example/", { headers: { [organiserSecretHeader]: "wrong" } });
    let refusal: unknown;
    try {
      requireSecret(request, organiserSecretHeader, secretHash("the right one"));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({
      status: 403,
      field: "x-organiser-secret",
      message: "The secret in x-organiser-secret is not this card’s.",
    });
  });
});
