// The API as one Lambda handler built from its dependencies: no module-level clients and no file read at
// run time, so each execution environment (or each local stack start) gets its own, and a bundle needs
// nothing beside itself.
import type { Hono } from "hono";
import { handle } from "../aws/function-url-adapter.ts";
import type { FunctionUrlHandler } from "../aws/function-url-event.ts";
import { type ApiDependencies, type ApiEnv, createApp } from "./app.ts";

export interface ApiHandlerOptions extends ApiDependencies {
  /** Extra routes, for tests that need a route the product does not have yet. */
  extend?: (app: Hono<ApiEnv>) => void;
}

export function createApiHandler({ extend, ...dependencies }: ApiHandlerOptions): FunctionUrlHandler {
  const app = createApp(dependencies, extend);
  return handle({ fetch: (request, env) => app.fetch(request, env) });
}
