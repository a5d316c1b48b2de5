// Routes of a sign link: what the sign page shows, and a signer's own signature, which later changes
// need its secret (x-signature-secret, kept by the signer's browser). docs/api.md describes each.
import type { Hono } from "hono";
import { capabilityIdPattern, newSecret, secretHash, signatureIdPattern } from "../cards/capability.ts";
import { designView } from "../cards/card-rows.ts";
import { isSigningOpen } from "../cards/card-rules.ts";
import { editSignatureBody, signBody } from "../cards/schema.ts";
import {
  deleteOwnSignature,
  insertSignature,
  selectSignatureAuth,
  selectSignPage,
  updateSignature,
} from "../cards/signature-store.ts";
import type { CreatedSignature, SignPageView } from "../cards/views.ts";
import type { Database } from "../db/data-api.ts";
import type { ApiEnv } from "./app.ts";
import { validateBody } from "./app.ts";
import { requireSecret, signatureSecretHeader } from "./capability-headers.ts";
import { conflict, notFound } from "./errors.ts";

export interface SignRouteDependencies {
  database: Pick<Database, "query">;
  now: () => Date;
}

const noSignLink = () => notFound("There is no card to sign at this link.", "signId");
const noSignature = () => notFound("There is no signature with this id.", "signatureId");
const signingClosed = () =>
  conflict("signing_closed", "Signing has closed: the card is locked, sent or cancelled.");

function signIdOf(value: string): string {
  if (!capabilityIdPattern.test(value)) throw noSignLink();
  return value;
}

function signatureIdOf(value: string): string {
  if (!signatureIdPattern.test(value)) throw noSignature();
  return value;
}

export function registerSignRoutes(app: Hono<ApiEnv>, { database, now }: SignRouteDependencies): void {
  /** Checks the signer's secret; one read, before any write. */
  async function authorise(request: Request, signId: string, signatureId: string) {
    const auth = await selectSignatureAuth(database, signId, signatureId);
    if (!auth) throw noSignature();
    requireSecret(request, signatureSecretHeader, auth.secret_hash);
    if (!auth.open) throw signingClosed();
  }

  app.get("/api/sign/:signId", async (context) => {
    const row = await selectSignPage(database, signIdOf(context.req.param("signId")));
    if (!row) throw noSignLink();
    const view: SignPageView = {
      card: {
        title: row.title,
        recipientName: row.recipient_name,
        senderName: row.sender_name,
        design: designView(row),
        status: row.status,
        locked: row.locked_at !== null,
        signingOpen: isSigningOpen(row.status, row.locked_at),
        deliverAtInstant: row.deliver_at,
        signatureCount: row.signature_count,
      },
      now: now().toISOString(),
    };
    return context.json(view);
  });

  app.post("/api/sign/:signId/signatures", async (context) => {
    const signId = signIdOf(context.req.param("signId"));
    const body = await validateBody(context.req.raw, signBody);
    const secret = newSecret();
    const outcome = await insertSignature(database, signId, {
      ...body,
      secretHash: secretHash(secret),
      now: now(),
    });
    if (outcome === "no_card") throw noSignLink();
    if (outcome === "signing_closed") throw signingClosed();
    const created: CreatedSignature = { signature: outcome.signature, secret };
    return context.json(created, 201);
  });

  // The sign page asks this for each signature its browser keeps, so one the organiser removed is
  // forgotten there and the signer told. Answered whether or not signing is still open; one read.
  app.get("/api/sign/:signId/signatures/:signatureId", async (context) => {
    const signId = signIdOf(context.req.param("signId"));
    const auth = await selectSignatureAuth(database, signId, signatureIdOf(context.req.param("signatureId")));
    if (!auth) throw noSignature();
    requireSecret(context.req.raw, signatureSecretHeader, auth.secret_hash);
    return context.body(null, 204);
  });

  app.put("/api/sign/:signId/signatures/:signatureId", async (context) => {
    const signId = signIdOf(context.req.param("signId"));
    const signatureId = signatureIdOf(context.req.param("signatureId"));
    const body = await validateBody(context.req.raw, editSignatureBody);
    await authorise(context.req.raw, signId, signatureId);
    const signature = await updateSignature(database, signId, signatureId, { ...body, now: now() });
    if (!signature) throw signingClosed();
    return context.json({ signature });
  });

  app.delete("/api/sign/:signId/signatures/:signatureId", async (context) => {
    const signId = signIdOf(context.req.param("signId"));
    const signatureId = signatureIdOf(context.req.param("signatureId"));
    await authorise(context.req.raw, signId, signatureId);
    if (!(await deleteOwnSignature(database, signId, signatureId))) throw signingClosed();
    return context.body(null, 204);
  });
}
