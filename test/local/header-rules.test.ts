// CloudFront's header rules for edge functions, shared by both runtimes and the edge.
import { describe, expect, it } from "vitest";
import {
  capitaliseHeaderName,
  headerRefusal,
  isHiddenFromFunctions,
  isReadOnlyHeader,
  splitHiddenHeaders,
} from "../../infra/local/edge/header-rules.ts";

describe("header rules", () => {
  it("keeps the disallowed headers from functions, in any case, and passes them on around them", () => {
    for (const name of [
      "X-Amz-Cf-Id",
      "x-amzn-requestid",
      "X-Cache",
      "x-edge-location",
      "Connection",
      "x-real-ip",
    ])
      expect(isHiddenFromFunctions(name), name).toBe(true);
    for (const name of ["x-amz-request-id", "x-amzn-trace-id", "cache-control", "x-cached"])
      expect(isHiddenFromFunctions(name), name).toBe(false);
    expect(
      splitHiddenHeaders([
        ["Content-Type", "text/html"],
        ["X-Amzn-RequestId", "r-1"],
      ]),
    ).toEqual({ exposed: [["Content-Type", "text/html"]], hidden: [["X-Amzn-RequestId", "r-1"]] });
  });

  it("refuses uppercase, disallowed and CloudFront-Viewer headers with a reason", () => {
    expect(headerRefusal("viewer-request", "X-Card")).toMatch(/lowercase/);
    expect(headerRefusal("origin-response", "x-forwarded-proto")).toMatch(/cannot be added/);
    expect(headerRefusal("viewer-request", "cloudfront-viewer-country")).toMatch(/viewer-request/);
    expect(headerRefusal("origin-request", "cloudfront-viewer-country")).toBeUndefined();
    expect(headerRefusal("viewer-response", "x-card")).toBeUndefined();
  });

  it("knows each event's read-only headers", () => {
    expect(isReadOnlyHeader("viewer-request", "Host")).toBe(true);
    expect(isReadOnlyHeader("origin-request", "host")).toBe(false);
    expect(isReadOnlyHeader("origin-request", "if-none-match")).toBe(true);
    expect(isReadOnlyHeader("origin-response", "transfer-encoding")).toBe(true);
    expect(isReadOnlyHeader("viewer-response", "warning")).toBe(true);
    expect(isReadOnlyHeader("viewer-response", "content-length")).toBe(false);
  });

  it("capitalises each hyphen-separated word on the way out", () => {
    expect(capitaliseHeaderName("x-card-id")).toBe("X-Card-Id");
    expect(capitaliseHeaderName("etag")).toBe("Etag");
  });
});
