// The bench's nginx config: loopback only, the site and the art where the edge serves them, nothing
// written outside its run folder, and no path that could end its quoting.
import { expect, it } from "vitest";
import { nginxConfig } from "./nginx.ts";

const site = {
  siteFolder: "/tmp/site",
  artFolder: "/repo/site/catalog/art",
  port: 41234,
  runFolder: "/tmp/run",
};

it("serves the site and the catalog art on a loopback port, in the foreground", () => {
  const config = nginxConfig(site);
  expect(config).toContain("daemon off;");
  expect(config).toContain("listen 127.0.0.1:41234;");
  expect(config).toContain('root "/tmp/site";');
  expect(config).toContain('location /img/catalog/ { alias "/repo/site/catalog/art/"; }');
  expect(config).toContain("image/svg+xml svg;");
});

it("keeps its pid, logs and temp paths in the run folder", () => {
  const config = nginxConfig(site);
  const files = [...config.matchAll(/(?:pid|error_log|access_log|_temp_path) "([^"]+)"/g)].map(
    (match) => match[1],
  );
  expect(files).toHaveLength(8);
  for (const file of files) expect(file?.startsWith("/tmp/run/")).toBe(true);
});

it("refuses a folder whose name would break out of its quotes", () => {
  expect(() => nginxConfig({ ...site, siteFolder: '/tmp/a"; include /etc/passwd; "' })).toThrow(
    /cannot name/,
  );
});
