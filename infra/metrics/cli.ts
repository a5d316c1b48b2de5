// `npm run metrics`: the review command (review-command.ts) with Node's compile cache on. Compiling DuckDB's
// client library is a good part of a review's start; V8's code for it is kept between runs (in
// NODE_COMPILE_CACHE, else the system's temporary folder) and checked against each module's source.
// https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./review-command.ts");
