// `npm start`: runs the whole app on loopback with embedded defaults and prints where everything is.
import { join } from "node:path";
import { localDataDir, localPorts } from "./config.ts";
import { startLocalStack } from "./stack.ts";

const repositoryRoot = join(import.meta.dirname, "../..");
const step = (message: string) => console.log(`  · ${message}`);

console.log("GoodGreets local stack");
const stack = await startLocalStack({
  dataDir: localDataDir,
  siteFolder: join(repositoryRoot, "dist/site"),
  artFolder: join(repositoryRoot, "site/catalog/art"),
  repositoryRoot,
  ports: localPorts,
  progress: step,
}).catch((error: unknown) => {
  console.error(
    `\nThe local stack could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE")
    console.error("A port is taken: stop the other process, or set PORT for the edge.");
  process.exit(1);
});

const site = stack.edge.url.replace("127.0.0.1", "localhost");
console.log(`
Ready.
  Site (through the local CloudFront)  ${site}/
  API health                           ${site}/api/health
  Edge access logs (CloudFront format) ${stack.accessLogDirectory}
  S3 stand-in                          ${stack.s3.url}
  RDS Data API stand-in                ${stack.dataApi.url}
  API function URL stand-in            ${stack.functionUrl.url}
  Data kept in                         ${localDataDir}
Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Stopped with an error:", error);
        process.exit(1);
      },
    );
  });
}
