// data/local.env: the SDKs' standard variable names for the running stack, written so a shell, Docker's
// --env-file and dotenv read the same values.
import { describe, expect, it } from "vitest";
import { formatEnvFile, localEnvironment } from "../../infra/local/local-env.ts";

describe("local.env", () => {
  it("names the endpoints, credentials, region, buckets and database as the SDKs and the API read them", () => {
    const variables = Object.fromEntries(
      localEnvironment({
        edge: "http://127.0.0.1:8080",
        s3: "http://127.0.0.1:8081",
        dataApi: "http://127.0.0.1:8082",
        scheduler: "http://127.0.0.1:8085",
        ses: "http://127.0.0.1:8086",
        cloudfront: "http://127.0.0.1:8088",
      }),
    );
    expect(variables).toMatchObject({
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:8081",
      AWS_ENDPOINT_URL_RDS_DATA: "http://127.0.0.1:8082",
      AWS_ENDPOINT_URL_SCHEDULER: "http://127.0.0.1:8085",
      AWS_ENDPOINT_URL_SESV2: "http://127.0.0.1:8086",
      AWS_ENDPOINT_URL_CLOUDFRONT: "http://127.0.0.1:8088",
      AWS_REGION: variables.AWS_DEFAULT_REGION,
      GOODGREETS_SITE_URL: "http://127.0.0.1:8080",
    });
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "DATABASE_RESOURCE_ARN",
      "DATABASE_NAME",
      "CLOUDFRONT_DISTRIBUTION_ID",
    ])
      expect(variables[name]).toMatch(/\S/);
  });

  it("writes bare NAME=value lines and refuses a value a shell would read differently", () => {
    expect(
      formatEnvFile([["A", "http://127.0.0.1:1/x"]])
        .split("\n")
        .slice(1),
    ).toEqual(["A=http://127.0.0.1:1/x", ""]);
    expect(() => formatEnvFile([["A", "two words"]])).toThrow(/A has a value that needs quoting/);
    expect(() => formatEnvFile([["A", "$(id)"]])).toThrow();
  });
});
