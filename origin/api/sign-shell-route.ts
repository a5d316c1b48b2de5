// GET /s/<signId>: the sign page as HTML with the card's link preview (origin/cards/sign-shell.ts). The
// edge's /s/* behaviour sends sign links here instead of to the bucket, because an unfurler runs no
// script: the title has to be in the HTML. Cached a minute at the edge, so a new title shows soon.
import type { Hono } from "hono";
import { capabilityIdPattern } from "../cards/capability.ts";
import { designView } from "../cards/card-rows.ts";
import { renderSignShell } from "../cards/sign-shell.ts";
import { selectSignPage } from "../cards/signature-store.ts";
import type { Database } from "../db/data-api.ts";
import type { ApiEnv } from "./app.ts";

export interface SignShellDependencies {
  database: Pick<Database, "query">;
  /** The built sign page (dist/site/s/index.html). */
  signShell: string;
}

export const signShellCacheControl = "public, max-age=0, s-maxage=60";

export function registerSignShellRoute(
  app: Hono<ApiEnv>,
  { database, signShell }: SignShellDependencies,
): void {
  app.get("/s/:signId", async (context) => {
    const signId = context.req.param("signId");
    const row = capabilityIdPattern.test(signId) ? await selectSignPage(database, signId) : undefined;
    const html = renderSignShell(
      signShell,
      row && { title: row.title, recipientName: row.recipient_name, design: designView(row) },
    );
    // An unknown link still gets the page (it explains itself), as a 404 that is not cached.
    context.header("cache-control", row ? signShellCacheControl : "no-store");
    return context.html(html, row ? 200 : 404);
  });
}
