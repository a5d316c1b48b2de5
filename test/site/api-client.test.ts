// The pages' API client: the body's SHA-256 in x-amz-content-sha256 over exactly the bytes sent, and the
// JSON error format (or anything else an edge or origin may answer) turned into ApiRequestError.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiRequestError, callApi } from "../../site/lib/api-client.ts";

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: Buffer;
}

function recorder(answer: () => Response) {
  const sent: Sent[] = [];
  const fake: typeof fetch = async (input, init) => {
    const request = new Request(new URL(String(input), "https://goodgreets.test"), init);
    sent.push({
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: Buffer.from(await request.arrayBuffer()),
    });
    return answer();
  };
  return { sent, fetch: fake };
}

const json = (status: number, value: unknown) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

describe("callApi", () => {
  it("sends JSON with the SHA-256 of the exact bytes, non-ASCII text included", async () => {
    const { sent, fetch } = recorder(() => json(201, { id: "c1" }));
    const card = { message: "Joyeux anniversaire, Zoë! 🎂", signers: ["Ana", "Bo"] };
    expect(await callApi("/api/cards", { body: card, fetch })).toEqual({ id: "c1" });
    const [request] = sent;
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(request?.body.toString("utf8") ?? "")).toEqual(card);
    const expected = createHash("sha256")
      .update(request?.body ?? Buffer.alloc(0))
      .digest("hex");
    expect(request?.headers.get("x-amz-content-sha256")).toBe(expected);
  });

  it("sends no body hash on a GET and returns nothing for a 204", async () => {
    const ok = recorder(() => json(200, { status: "ok" }));
    expect(await callApi("/api/health", { fetch: ok.fetch })).toEqual({ status: "ok" });
    expect(ok.sent[0]?.method).toBe("GET");
    expect(ok.sent[0]?.headers.has("x-amz-content-sha256")).toBe(false);
    const empty = recorder(() => new Response(null, { status: 204 }));
    expect(await callApi("/api/cards/c1", { method: "DELETE", fetch: empty.fetch })).toBeUndefined();
  });

  it("throws the API's error with its code, field and request id", async () => {
    const { fetch } = recorder(() =>
      json(400, { error: { code: "invalid_input", message: "Say who signs.", field: "name" } }),
    );
    const error = await callApi("/api/cards", { body: { name: "" }, fetch }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({
      status: 400,
      code: "invalid_input",
      message: "Say who signs.",
      field: "name",
    });
    const failing = recorder(() =>
      json(500, {
        error: { code: "internal", message: "Something went wrong on our side.", requestId: "r1" },
      }),
    );
    await expect(callApi("/api/cards", { fetch: failing.fetch })).rejects.toMatchObject({
      status: 500,
      code: "internal",
      requestId: "r1",
    });
  });

  it("turns answers not in the API's format into a plain refusal or unavailability", async () => {
    const forbidden = recorder(() => json(403, { Message: "Forbidden." }));
    await expect(callApi("/api/cards", { fetch: forbidden.fetch })).rejects.toMatchObject({
      status: 403,
      code: "refused",
    });
    const edgePage = recorder(
      () =>
        new Response("<html>502 Bad Gateway</html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        }),
    );
    await expect(callApi("/api/cards", { fetch: edgePage.fetch })).rejects.toMatchObject({
      status: 502,
      code: "unavailable",
    });
  });
});
