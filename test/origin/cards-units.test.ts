// The cards module's small rules: capability ids and secrets, the request schemas, the sign page's
// preview tags, the stack's clock setting, and the viewer-request mapping of card and organiser links.
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { buildCloudFrontFunction } from "../../infra/build/edge.ts";
import { stackClock } from "../../infra/local/clock.ts";
import {
  compileCloudFrontFunction,
  httpRequestFromFunction,
  viewerRequestEvent,
} from "../../infra/local/edge/cloudfront-function-runtime.ts";
import { newCapabilityId, newSecret, secretHash, secretMatches } from "../../origin/cards/capability.ts";
import { countWords, createCardBody, signBody, updateCardBody } from "../../origin/cards/schema.ts";
import { escapeHtml, renderSignShell } from "../../origin/cards/sign-shell.ts";

describe("capabilities", () => {
  it("makes 128-bit ids and 256-bit secrets in base64url, each new", () => {
    const ids = new Set(Array.from({ length: 1000 }, newCapabilityId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("matches a secret only against its own hash", () => {
    const secret = newSecret();
    const stored = secretHash(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${secret}x`, stored)).toBe(false);
    expect(secretMatches("", stored)).toBe(false);
    expect(secretMatches(secret, "")).toBe(false);
    expect(secretMatches(secret, "zz")).toBe(false);
  });
});

describe("request schemas", () => {
  const valid = {
    design: "balloon-bunch",
    title: "  Happy birthday, Sam!  ",
    recipientName: "Sam",
    recipientEmail: "sam@example.com",
    senderName: "Alex",
    senderEmail: "alex@example.com",
    deliverAt: "2027-04-15T09:00",
    timeZone: "Europe/London",
  };

  it("trims text and keeps a message's line breaks as \\n", () => {
    expect(v.parse(createCardBody, valid).title).toBe("Happy birthday, Sam!");
    expect(v.parse(signBody, { name: "Ana", message: " one\r\ntwo\rthree " }).message).toBe(
      "one\ntwo\nthree",
    );
  });

  it("stores a time zone as the runtime spells it", () => {
    expect(v.parse(createCardBody, { ...valid, timeZone: "europe/london" }).timeZone).toBe("Europe/London");
    expect(v.parse(createCardBody, { ...valid, timeZone: "UTC" }).timeZone).toBe("UTC");
  });

  it("counts limits in UTF-16 code units, as maxlength does", () => {
    expect(v.safeParse(signBody, { name: "é".repeat(80), message: "x" }).success).toBe(true);
    expect(v.safeParse(signBody, { name: "😀".repeat(41), message: "x" }).success).toBe(false);
    expect(v.safeParse(signBody, { name: "a", message: "x".repeat(1000) }).success).toBe(true);
  });

  it("takes any subset of fields in an update, a new time only with its zone", () => {
    expect(v.safeParse(updateCardBody, { title: "Hi" }).success).toBe(true);
    expect(v.safeParse(updateCardBody, { deliverAt: "2027-04-01T09:00", timeZone: "UTC" }).success).toBe(
      true,
    );
    const lone = v.safeParse(updateCardBody, { timeZone: "UTC" });
    expect(lone.success || v.getDotPath(lone.issues[0])).toBe("deliverAt");
  });

  it("never throws on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const schema of [createCardBody, updateCardBody, signBody]) v.safeParse(schema, value);
      }),
    );
  });

  it("counts words as runs of non-space characters", () => {
    expect(countWords("")).toBe(0);
    expect(countWords("  Happy\nbirthday,  Sam! ")).toBe(3);
  });
});

describe("the sign page's preview tags", () => {
  const shell = "<html><head><title>Sign the card · GoodGreets</title></head><body></body></html>";
  const card = (title: string, recipientName = "Sam") => ({
    title,
    recipientName,
    design: { imageUrl: "/img/catalog/balloon-bunch.svg", altText: "Balloons" },
  });
  const place = { siteUrl: "https://goodgreets.test", signId: "AAAAAAAAAAAAAAAAAAAAAA" };

  it("escapes every value, so no text can open a tag or leave an attribute", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, name) => {
        const html = renderSignShell(shell, card(title, name), place);
        const head = html.slice(0, html.indexOf("</head>"));
        // Only the tags we wrote open with "<": each is <title>, </title> or <meta …>.
        const tags = head.match(/<[^>]*>/g) ?? [];
        for (const tag of tags)
          expect(tag).toMatch(
            /^<(\/?title|\/?html|head|meta [a-z]+="[^"<>]*" content="[^"<>]*"|link rel="preload" href="\/api\/sign\/[A-Za-z0-9_-]+" as="fetch" crossorigin="anonymous")>$/,
          );
        expect(tags.filter((tag) => tag.startsWith("<meta"))).toHaveLength(10);
      }),
    );
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("leaves the shell as built when there is no card", () => {
    expect(renderSignShell(shell, undefined, place)).toBe(shell);
  });

  it("keeps a $ in a title as text", () => {
    expect(renderSignShell(shell, card("$& $1 $$"), place)).toContain('content="$&amp; $1 $$"');
  });
});

describe("the stack's clock", () => {
  it("starts at GOODGREETS_NOW and runs on at the real pace", () => {
    let real = 1_000_000;
    const clock = stackClock("2027-03-01T09:00:00Z", () => real);
    expect(new Date(clock()).toISOString()).toBe("2027-03-01T09:00:00.000Z");
    real += 90_000;
    expect(new Date(clock()).toISOString()).toBe("2027-03-01T09:01:30.000Z");
    expect(new Date(stackClock("2027-03-01T10:00+01:00", () => 0)()).toISOString()).toBe(
      "2027-03-01T09:00:00.000Z",
    );
  });

  it("is the real clock when unset, and refuses a value that is not an instant", () => {
    expect(stackClock(undefined, () => 42)()).toBe(42);
    expect(stackClock("", () => 42)()).toBe(42);
    for (const bad of ["2027-03-01", "2027-03-01T09:00", "tomorrow", "2027-02-30T09:00:00Z"])
      expect(() => stackClock(bad), bad).toThrow(/GOODGREETS_NOW/);
  });
});

describe("card and organiser links at the edge", () => {
  it("map every id onto the kind's one shell", async () => {
    const code = await buildCloudFrontFunction("edge/functions/viewer-request-url.js");
    const urlFunction = await compileCloudFrontFunction({ name: "url", code });
    const context = { distributionDomainName: "d1.cloudfront.net", distributionId: "E1", requestId: "r" };
    const cases: [string, string][] = [
      ["/c/AbCdEfGhIjKlMnOpQrStUv", "/c/index.html"],
      ["/o/AbCdEfGhIjKlMnOpQrSt-_/", "/o/index.html"],
      ["/c/index.html", "/c/index.html"],
      ["/c/", "/c/index.html"],
      ["/designs/birthday/", "/designs/birthday/index.html"],
    ];
    for (const [uri, key] of cases) {
      const outcome = await urlFunction.run(
        viewerRequestEvent({
          method: "GET",
          uri,
          rawQuery: "",
          headers: [["host", "x"]],
          viewerIp: "192.0.2.1",
          context,
        }),
      );
      expect(outcome.type === "request" && httpRequestFromFunction(outcome.request).uri, uri).toBe(key);
    }
  });
});
