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

/** The sign page as served: the built page, and the site's public origin its preview tags point at. */
export interface SignShell {
  /** The built sign page (dist/site/s/index.html). */
  html: string;
  /**
   * The site's public origin (https://goodgreets.example; locally the edge's http://localhost:<port>), from
   * configuration: Open Graph wants absolute URLs, and a request's Host is the caller's to choose (and
   * behind a function URL names the function, not the site).
   */
  siteUrl: string;
}

export interface SignShellDependencies {
  database: Pick<Database, "query">;
  signShell: SignShell;
}

export const signShellCacheControl = "public, max-age=0, s-maxage=60";

export function registerSignShellRoute(
  app: Hono<ApiEnv>,
  { database, signShell }: SignShellDependencies,
): void {
  // A typo in the configuration fails the start, not every unfurl.
  if (URL.parse(signShell.siteUrl)?.origin !== signShell.siteUrl)
    throw new Error(
      `The site URL must be an origin such as https://goodgreets.example, not ${signShell.siteUrl}`,
    );
  app.get("/s/:signId", async (context) => {
    const signId = context.req.param("signId");
    const row = capabilityIdPattern.test(signId) ? await selectSignPage(database, signId) : undefined;
    const html = renderSignShell(
      signShell.html,
      row && { title: row.title, recipientName: row.recipient_name, design: designView(row) },
      { siteUrl: signShell.siteUrl, signId },
    );
    // An unknown link still gets the page (it explains itself), as a 404 that is not cached.
    context.header("cache-control", row ? signShellCacheControl : "no-store");
    return context.html(html, row ? 200 : 404);
  });
}
