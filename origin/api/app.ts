// The GoodGreets API as a Hono app on Web Request/Response: routes, the JSON error format, and the
// request id that ties a 500 to its log line. It knows nothing of Lambda or of the local stack.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import type { Database } from "../db/data-api.ts";
import type { EdgeCache } from "../edge-cache/edge-cache.ts";
import type { CardSchedules } from "../schedules/card-schedules.ts";
import { registerUploadRoutes, type UploadDependencies } from "../uploads/upload-routes.ts";
import { registerCardRoutes } from "./card-routes.ts";
import { ApiError, errorBody } from "./errors.ts";
import { checkHealth } from "./health.ts";
import { registerSignRoutes } from "./sign-routes.ts";
import { registerSignShellRoute, type SignShell } from "./sign-shell-route.ts";

export interface ApiDependencies {
  database: Pick<Database, "query">;
  version: string;
  log?: (message: string) => void;
  /** The API's clock: the real one in AWS; the stack's (GOODGREETS_NOW) locally; a fixed one in tests. */
  now?: () => Date;
  /** The built sign page and the site's origin, served at /s/<signId> with the card's link preview; no such route without it. */
  signShell?: SignShell;
  /** Each card's one delivery schedule (EventBridge Scheduler); without it no card is ever delivered. */
  schedules?: CardSchedules;
  /** The images bucket for uploads; no upload routes without it. */
  uploads?: UploadDependencies;
  /** The CDN in front (CloudFront): a deleted card's cached URIs are invalidated through it. */
  edgeCache?: EdgeCache;
}

export type ApiEnv = { Bindings: { requestId?: string }; Variables: { requestId: string } };

const maxBodyBytes = 256 * 1024;

/** Codes for the 4xx answers Hono's own middleware gives, in the JSON error format's words. */
const httpErrorCodes: Partial<Record<number, string>> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "body_too_large",
  415: "unsupported_media_type",
};

/** Reads and validates a JSON body; the first problem becomes a 400 naming its field. */
export async function validateBody<Schema extends v.GenericSchema>(
  request: Request,
  schema: Schema,
): Promise<v.InferOutput<Schema>> {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const [issue] = result.issues;
    const field = issue ? (v.getDotPath(issue) ?? undefined) : undefined;
    throw new ApiError(400, "invalid_input", issue?.message ?? "The request body is not valid.", field);
  }
  return result.output;
}

export function createApp(dependencies: ApiDependencies, extend?: (app: Hono<ApiEnv>) => void): Hono<ApiEnv> {
  const log = dependencies.log ?? ((message: string) => console.error(message));
  const app = new Hono<ApiEnv>();

  app.use(async (context, next) => {
    context.set("requestId", context.env?.requestId ?? crypto.randomUUID());
    await next();
    if (!context.res.headers.has("cache-control")) context.res.headers.set("cache-control", "no-store");
  });
  // Routes match on the decoded path; one that does not decode (`/api/%ff`) names no route at all.
  app.use(async (context, next) => {
    try {
      decodeURIComponent(new URL(context.req.url).pathname);
    } catch {
      throw new ApiError(400, "invalid_path", "The path is not valid percent-encoded UTF-8.");
    }
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (context) =>
        context.json(errorBody("body_too_large", `The request body is over ${maxBodyBytes} bytes.`), 413),
    }),
  );

  app.get("/api/health", async (context) => {
    const health = await checkHealth(dependencies.database, dependencies.version, log);
    return context.json(health, health.status === "ok" ? 200 : 503);
  });

  // The pages take "now" from here, so their date rules and countdowns use the API's clock.
  const now = dependencies.now ?? (() => new Date());
  app.get("/api/time", (context) => context.json({ now: now().toISOString() }));
  registerCardRoutes(app, {
    database: dependencies.database,
    now,
    log,
    ...(dependencies.schedules ? { schedules: dependencies.schedules } : {}),
    ...(dependencies.uploads ? { uploads: dependencies.uploads } : {}),
    ...(dependencies.edgeCache ? { edgeCache: dependencies.edgeCache } : {}),
  });
  registerSignRoutes(app, { database: dependencies.database, now });
  if (dependencies.signShell !== undefined)
    registerSignShellRoute(app, { database: dependencies.database, signShell: dependencies.signShell });

  if (dependencies.uploads) registerUploadRoutes(app, dependencies.uploads);

  extend?.(app);

  const routes = app.routes;
  app.notFound((context) => {
    const path = context.req.path;
    const allowed = [
      ...new Set(
        routes.filter((route) => route.path === path && route.method !== "ALL").map((route) => route.method),
      ),
    ];
    if (allowed.length > 0) {
      context.header("allow", allowed.join(", "));
      return context.json(errorBody("method_not_allowed", `${context.req.method} is not allowed here.`), 405);
    }
    return context.json(errorBody("not_found", `There is no ${path}.`), 404);
  });

  app.onError((error, context) => {
    if (error instanceof ApiError)
      return context.json(errorBody(error.code, error.message, { field: error.field }), error.status);
    // Hono's own refusals (a malformed body it parsed, say) keep their 4xx but speak our error format.
    if (error instanceof HTTPException && error.status < 500)
      return context.json(
        errorBody(
          httpErrorCodes[error.status] ?? "bad_request",
          error.message || "The request is not valid.",
        ),
        error.status,
      );
    const requestId = context.get("requestId");
    log(
      `request ${requestId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return context.json(errorBody("internal", "Something went wrong on our side.", { requestId }), 500);
  });

  return app;
}
