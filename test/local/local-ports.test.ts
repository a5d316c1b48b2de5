// Where `npm start` listens: the base port, PORT kept for the edge, per-service overrides, clear errors.
import { describe, expect, it } from "vitest";
import { localPorts } from "../../infra/local/ports.ts";

describe("localPorts", () => {
  it("puts the edge on 8080 and the stand-ins on the ports after it by default", () => {
    expect(localPorts({})).toEqual({
      edge: 8080,
      s3: 8081,
      dataApi: 8082,
      functionUrl: 8083,
      postgres: 8084,
      scheduler: 8085,
      ses: 8086,
      metrics: 8087,
      cloudfront: 8088,
    });
  });

  it("moves the whole stack with GOODGREETS_PORT, or with PORT when that is all that is set", () => {
    expect(localPorts({ GOODGREETS_PORT: "3000" })).toEqual({
      edge: 3000,
      s3: 3001,
      dataApi: 3002,
      functionUrl: 3003,
      postgres: 3004,
      scheduler: 3005,
      ses: 3006,
      metrics: 3007,
      cloudfront: 3008,
    });
    expect(localPorts({ PORT: "4000" }).edge).toBe(4000);
    expect(localPorts({ PORT: "4000" }).s3).toBe(4001);
    expect(localPorts({ GOODGREETS_PORT: "3000", PORT: "4000" }).edge).toBe(3000);
  });

  it("takes a per-service override, and 0 (a free port) for everything from a base of 0", () => {
    expect(localPorts({ GOODGREETS_S3_PORT: "9000", GOODGREETS_FUNCTION_URL_PORT: "0" })).toMatchObject({
      edge: 8080,
      s3: 9000,
      dataApi: 8082,
      functionUrl: 0,
    });
    expect(Object.values(localPorts({ GOODGREETS_PORT: "0" }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("refuses a value that is not a port, naming the variable", () => {
    expect(() => localPorts({ GOODGREETS_PORT: "eighty" })).toThrow(/GOODGREETS_PORT must be a port number/);
    expect(() => localPorts({ PORT: "70000" })).toThrow(/PORT must be a port number/);
    expect(() => localPorts({ GOODGREETS_DATA_API_PORT: "-1" })).toThrow(/GOODGREETS_DATA_API_PORT/);
    expect(() => localPorts({ GOODGREETS_PORT: "65534" })).toThrow(/no room for the dataApi port/);
  });
});
