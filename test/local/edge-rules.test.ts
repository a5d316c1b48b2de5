// The edge's pure rules: the path CloudFront matches behaviours against, Range headers, request limits.
import { describe, expect, it } from "vitest";
import { matchBehaviour, normalisedPath } from "../../infra/local/edge/behaviour-match.ts";
import { parseRange } from "../../infra/local/edge/range-requests.ts";
import { checkViewerRequest } from "../../infra/local/edge/request-limits.ts";

describe("normalisedPath", () => {
  it.each([
    ["/", "/"],
    ["/..", "/"],
    ["/../", "/"],
    ["/a/b/../c", "/a/c"],
    ["/a/./b/", "/a/b/"],
    ["/img/%2e%2e/%2E%2E/site/index.html", "/site/index.html"],
    ["/%61pi/x", "/api/x"],
    // Reserved characters stay encoded: %2F is not a segment separator.
    ["/img/..%2fsecret", "/img/..%2fsecret"],
    ["/_astro/../../x", "/x"],
    ["/img/%252e%252e/", "/img/%252e%252e/"],
  ])("matches %s as %s", (path, normalised) => {
    expect(normalisedPath(path)).toBe(normalised);
  });

  it("picks the behaviour from the normalised path", () => {
    const behaviours = [{ pathPattern: "/api/*" }, { pathPattern: "/img/*" }, { pathPattern: "*" }];
    expect(matchBehaviour(behaviours, "/img/../api/health").pathPattern).toBe("/api/*");
    expect(matchBehaviour(behaviours, "/img/%2e%2e/index.html").pathPattern).toBe("*");
  });

  it("takes linear time on a long path of dot segments", () => {
    const path = "/a/..".repeat(200_000);
    const started = process.cpuUsage();
    expect(normalisedPath(path)).toBe("/");
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
  });
});

describe("parseRange", () => {
  it.each([
    ["bytes=0-4", { kind: "ranges", ranges: [{ start: 0, end: 4 }] }],
    ["bytes=5-", { kind: "ranges", ranges: [{ start: 5, end: 9 }] }],
    ["bytes=-3", { kind: "ranges", ranges: [{ start: 7, end: 9 }] }],
    ["bytes=-30", { kind: "ranges", ranges: [{ start: 0, end: 9 }] }],
    ["bytes=8-20", { kind: "ranges", ranges: [{ start: 8, end: 9 }] }],
    [
      "bytes=0-1, 4-5",
      {
        kind: "ranges",
        ranges: [
          { start: 0, end: 1 },
          { start: 4, end: 5 },
        ],
      },
    ],
    ["bytes=10-", { kind: "unsatisfiable" }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    ["bytes=4-5,0-1", { kind: "ignored" }],
    ["bytes=0-5,3-8", { kind: "ignored" }],
    ["bytes=5-2", { kind: "ignored" }],
    ["bytes=a-b", { kind: "ignored" }],
    ["pages=1-2", { kind: "ignored" }],
  ])("reads %s against 10 bytes", (header, expected) => {
    expect(parseRange(header, 10)).toEqual(expected);
  });
});

describe("checkViewerRequest", () => {
  it("refuses CloudFront's oversize requests with 413 and a second Host with 400", () => {
    expect(checkViewerRequest(`/${"a".repeat(8191)}`, ["Host", "x"])).toEqual({ ok: true });
    expect(checkViewerRequest(`/${"a".repeat(8192)}`, ["Host", "x"])).toMatchObject({
      ok: false,
      status: 413,
    });
    expect(checkViewerRequest("/", ["Host", "x", "X-Big", "b".repeat(20_480)])).toMatchObject({
      ok: false,
      status: 413,
    });
    expect(checkViewerRequest("/", ["Host", "x", "host", "y"])).toMatchObject({ ok: false, status: 400 });
  });
});
