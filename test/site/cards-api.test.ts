// The pages' calls to the cards API: each route and method as docs/api.md gives them, and the organiser
// and signature secrets only ever in headers, never in a URL (so never in a request line or access log).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cardsApi } from "../../site/lib/cards-api.ts";

interface Sent {
  method: string;
  path: string;
  headers: Headers;
}

let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  vi.stubGlobal("fetch", async (input: string, init: RequestInit = {}) => {
    const request = new Request(new URL(input, "https://goodgreets.test"), init);
    sent.push({ method: request.method, path: new URL(request.url).pathname, headers: request.headers });
    return new Response(request.method === "DELETE" ? null : "{}", {
      status: request.method === "DELETE" ? 204 : 200,
      headers: { "content-type": "application/json" },
    });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const organiserSecret = "nEOxvUc7LZpS7SWQAIwYfbf-cuTLPY0dggckvL5aBRU";
const signatureSecret = "Zp4gQFe8BbWklcJjdJoWg0C4gdsiVIwoScJLhaloH6I";

describe("cardsApi", () => {
  it("calls each organiser route with the secret in x-organiser-secret", async () => {
    await cardsApi.organiser("card1", organiserSecret);
    await cardsApi.update("card1", organiserSecret, { title: "New" });
    await cardsApi.lock("card1", organiserSecret);
    await cardsApi.cancel("card1", organiserSecret);
    await cardsApi.removeSignature("card1", organiserSecret, "17");
    await cardsApi.remove("card1", organiserSecret);
    await cardsApi.card("card1", organiserSecret);
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      "GET /api/cards/card1/organiser",
      "PATCH /api/cards/card1",
      "POST /api/cards/card1/lock",
      "POST /api/cards/card1/cancel",
      "DELETE /api/cards/card1/signatures/17",
      "DELETE /api/cards/card1",
      "GET /api/cards/card1",
    ]);
    for (const request of sent) {
      expect(request.headers.get("x-organiser-secret")).toBe(organiserSecret);
      expect(request.path).not.toContain(organiserSecret);
    }
  });

  it("signs, edits and deletes a signature, the signer's secret in x-signature-secret", async () => {
    await cardsApi.signPage("sign1");
    await cardsApi.sign("sign1", { name: "Bo", message: "Hi" });
    await cardsApi.editSignature("sign1", "17", signatureSecret, { name: "Bo", message: "Hello" });
    await cardsApi.deleteSignature("sign1", "17", signatureSecret);
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      "GET /api/sign/sign1",
      "POST /api/sign/sign1/signatures",
      "PUT /api/sign/sign1/signatures/17",
      "DELETE /api/sign/sign1/signatures/17",
    ]);
    expect(sent.slice(0, 2).every((request) => !request.headers.has("x-signature-secret"))).toBe(true);
    for (const request of sent.slice(2)) {
      expect(request.headers.get("x-signature-secret")).toBe(signatureSecret);
      expect(request.path).not.toContain(signatureSecret);
    }
  });

  it("opens a delivered card with no secret at all, and sends the open beacon", async () => {
    await cardsApi.card("card1");
    await cardsApi.opened("card1");
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      "GET /api/cards/card1",
      "POST /api/cards/card1/opened",
    ]);
    expect(sent.every((request) => !request.headers.has("x-organiser-secret"))).toBe(true);
  });

  it("puts an id in the path as one escaped segment", async () => {
    await cardsApi.signPage("../cards/x?y");
    expect(sent[0]?.path).toBe("/api/sign/..%2Fcards%2Fx%3Fy");
  });
});
