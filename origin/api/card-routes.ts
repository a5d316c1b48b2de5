// Routes of a card, for its organiser (authorised by x-organiser-secret) and its recipient: thin over
// the card rules and statements in origin/cards/. docs/api.md describes each.
import type { Hono } from "hono";
import {
  capabilityIdPattern,
  newCapabilityId,
  newSecret,
  secretHash,
  signatureIdPattern,
} from "../cards/capability.ts";
import { removeDeletedCard } from "../cards/card-removal.ts";
import { type CardRow, cardLinks, organiserCard, recipientCard, signaturesOf } from "../cards/card-rows.ts";
import { isDelivered } from "../cards/card-rules.ts";
import {
  cancelCard,
  deleteCard,
  insertCard,
  lockCard,
  recordOpen,
  removeSignature,
  selectCard,
  selectOrganiserAuth,
  updateCard,
} from "../cards/card-store.ts";
import { resolveDeliveryTime } from "../cards/delivery-time.ts";
import { createCardBody, updateCardBody } from "../cards/schema.ts";
import type { CardDeletedPending, CardStatus, CreatedCard, OrganiserView } from "../cards/views.ts";
import type { Database } from "../db/data-api.ts";
import type { EdgeCache } from "../edge-cache/edge-cache.ts";
import type { CardSchedules } from "../schedules/card-schedules.ts";
import { isAcceptedPicture } from "../uploads/accepted-picture.ts";
import type { UploadDependencies } from "../uploads/upload-routes.ts";
import type { ApiEnv } from "./app.ts";
import { validateBody } from "./app.ts";
import { organiserSecretHeader, requireSecret } from "./capability-headers.ts";
import { ApiError, badRequest, conflict, notFound } from "./errors.ts";

export interface CardRouteDependencies {
  database: Pick<Database, "query">;
  now: () => Date;
  /** Keeps the card's one schedule: made with the card, moved with its time, gone with it. */
  schedules?: CardSchedules;
  /** The images bucket, where a card's own picture must be before the card can show it. */
  uploads?: UploadDependencies;
  /** The CDN's cache, told to forget a deleted card's URIs. */
  edgeCache?: EdgeCache;
  log: (message: string) => void;
}

/** A delivered card never changes: browsers keep it 5 minutes, the edge a year (keyed by URI alone). */
export const deliveredCardCacheControl = "public, max-age=300, s-maxage=31536000, immutable";

function cardIdOf(value: string): string {
  if (!capabilityIdPattern.test(value)) throw notFound("There is no card with this id.", "cardId");
  return value;
}

/** The instant a local time resolves to, or the 400 naming the field at fault. */
export function deliveryInstant(request: { deliverAt: string; timeZone: string }, now: Date): Date {
  const resolved = resolveDeliveryTime(request, now);
  if (!resolved.ok) throw badRequest(resolved.code, resolved.message, resolved.field);
  return resolved.instant;
}

const cardClosed = (status: CardStatus | undefined) =>
  status === undefined
    ? notFound("There is no card with this id.", "cardId")
    : conflict("card_closed", `The card is ${status} and can no longer be changed.`);

export function registerCardRoutes(
  app: Hono<ApiEnv>,
  { database, now, schedules, uploads, edgeCache, log }: CardRouteDependencies,
): void {
  /** Checks the organiser's secret against the card; one read, before any write. */
  async function authorise(request: Request, cardId: string) {
    const auth = await selectOrganiserAuth(database, cardId);
    if (!auth) throw notFound("There is no card with this id.", "cardId");
    requireSecret(request, organiserSecretHeader, auth.organiser_secret_hash);
    return auth;
  }

  const organiserAnswer = (row: CardRow) => ({ card: organiserCard(row) });

  async function requireAcceptedPicture(url: string) {
    if (!uploads)
      throw badRequest(
        "uploads_unavailable",
        "This service takes no uploaded pictures; pick a design.",
        "upload",
      );
    if (!(await isAcceptedPicture(uploads, url)))
      throw badRequest(
        "unknown_picture",
        "There is no accepted picture at this url. Upload the picture and let its check finish first.",
        "upload.url",
      );
  }

  app.post("/api/cards", async (context) => {
    const body = await validateBody(context.req.raw, createCardBody);
    const clock = now();
    const deliverAt = deliveryInstant(body, clock);
    if (body.upload) await requireAcceptedPicture(body.upload.url);
    const organiserSecret = newSecret();
    const row = await insertCard(database, {
      ...body,
      id: newCapabilityId(),
      signId: newCapabilityId(),
      organiserSecretHash: secretHash(organiserSecret),
      deliverAt,
      now: clock,
    });
    if (!row && body.upload)
      throw new ApiError(
        409,
        "picture_taken",
        "This picture already belongs to another card. Upload it again to use it on a new card.",
        "upload.url",
      );
    if (!row) throw badRequest("unknown_design", `There is no design ${body.design}.`, "design");
    try {
      await schedules?.put({ id: row.id, deliverAt, timeZone: row.time_zone });
    } catch (error) {
      // A card without its schedule would never be delivered: take it back, so nothing is half-written.
      await deleteCard(database, row.id);
      log(`card ${row.id}: its schedule could not be created, the card was taken back: ${String(error)}`);
      throw new ApiError(
        503,
        "scheduling_unavailable",
        "The card could not be scheduled just now, so it was not saved. Please try again in a minute.",
      );
    }
    const created: CreatedCard = {
      card: organiserCard(row),
      links: cardLinks(row, organiserSecret),
      organiserSecret,
    };
    return context.json(created, 201);
  });

  app.get("/api/cards/:cardId", async (context) => {
    const row = await selectCard(database, cardIdOf(context.req.param("cardId")));
    if (!row) throw notFound("There is no card with this id.", "cardId");
    if (isDelivered(row.status)) {
      context.header("cache-control", deliveredCardCacheControl);
      return context.json(recipientCard(row));
    }
    if (!context.req.header(organiserSecretHeader))
      throw notFound("This card has not been delivered yet.", "cardId");
    requireSecret(context.req.raw, organiserSecretHeader, row.organiser_secret_hash);
    return context.json(recipientCard(row));
  });

  app.get("/api/cards/:cardId/organiser", async (context) => {
    const row = await selectCard(database, cardIdOf(context.req.param("cardId")));
    if (!row) throw notFound("There is no card with this id.", "cardId");
    requireSecret(context.req.raw, organiserSecretHeader, row.organiser_secret_hash);
    const view: OrganiserView = {
      card: organiserCard(row),
      signatures: signaturesOf(row),
      links: cardLinks(row),
      now: now().toISOString(),
    };
    return context.json(view);
  });

  app.post("/api/cards/:cardId/opened", async (context) => {
    const outcome = await recordOpen(database, cardIdOf(context.req.param("cardId")), now());
    if (outcome === "no_card") throw notFound("There is no card with this id.", "cardId");
    if (outcome === "not_delivered") throw conflict("not_delivered", "This card has not been delivered yet.");
    return context.body(null, 204);
  });

  app.patch("/api/cards/:cardId", async (context) => {
    const cardId = cardIdOf(context.req.param("cardId"));
    const body = await validateBody(context.req.raw, updateCardBody);
    const clock = now();
    const deliverAt =
      body.deliverAt !== undefined && body.timeZone !== undefined
        ? deliveryInstant({ deliverAt: body.deliverAt, timeZone: body.timeZone }, clock)
        : undefined;
    const auth = await authorise(context.req.raw, cardId);
    const result = await updateCard(database, cardId, { ...body, deliverAt }, clock);
    if (result.unknownDesign)
      throw badRequest("unknown_design", `There is no design ${body.design}.`, "design");
    if (result.showsUpload)
      throw new ApiError(
        409,
        "card_shows_upload",
        "This card shows your own picture, which cannot be swapped for a design. Make a new card instead.",
        "design",
      );
    if (!result.row) throw cardClosed(result.priorStatus ?? auth.status);
    if (deliverAt) await schedules?.put({ id: cardId, deliverAt, timeZone: result.row.time_zone });
    return context.json(organiserAnswer(result.row));
  });

  for (const [action, change] of [
    ["lock", lockCard],
    ["cancel", cancelCard],
  ] as const) {
    app.post(`/api/cards/:cardId/${action}`, async (context) => {
      const cardId = cardIdOf(context.req.param("cardId"));
      await authorise(context.req.raw, cardId);
      const { row, priorStatus } = await change(database, cardId, now());
      if (!row) throw cardClosed(priorStatus);
      if (action === "cancel") await schedules?.remove(cardId);
      return context.json(organiserAnswer(row));
    });
  }

  app.delete("/api/cards/:cardId", async (context) => {
    const cardId = cardIdOf(context.req.param("cardId"));
    await authorise(context.req.raw, cardId);
    const deleted = await deleteCard(database, cardId);
    if (!deleted) throw notFound("There is no card with this id.", "cardId");
    const leftOvers = await removeDeletedCard({ schedules, uploads, edgeCache }, deleted);
    if (leftOvers.length === 0) return context.body(null, 204);
    // The row is gone, so a retry would only find no card: the operator finishes from this line, and the
    // client hears success (202, not a 5xx that invites a retry) with word that copies may linger.
    log(`card ${cardId} deleted, but not everything of it: ${JSON.stringify(leftOvers)}`);
    const pending: CardDeletedPending = {
      deleted: true,
      cleanup: "pending",
      code: "delete_incomplete",
      message:
        "The card is deleted and can no longer be opened or signed. Some copies of it, such as its picture, may take a while to disappear everywhere.",
    };
    return context.json(pending, 202);
  });

  app.delete("/api/cards/:cardId/signatures/:signatureId", async (context) => {
    const cardId = cardIdOf(context.req.param("cardId"));
    const signatureId = context.req.param("signatureId");
    if (!signatureIdPattern.test(signatureId))
      throw notFound("There is no signature with this id.", "signatureId");
    await authorise(context.req.raw, cardId);
    const outcome = await removeSignature(database, cardId, signatureId);
    if (outcome === "no_signature") throw notFound("There is no signature with this id.", "signatureId");
    if (outcome === "card_closed")
      throw conflict("card_closed", "The card is on its way; its signatures stay.");
    return context.body(null, 204);
  });
}
