// The columns the card statements select, and the rows they come back as, turned into the API's views.
import { imageSrcset, variantWidths } from "../../edge/image-variants.ts";
import { designImageUrl } from "../../site/catalog/designs.ts";
import { isSigningOpen } from "./card-rules.ts";
import { zonedDateTime } from "./delivery-time.ts";
import type { CardLinks, CardStatus, CardView, DesignView, OrganiserView, SignatureView } from "./views.ts";

/**
 * Everything about a card and its design, for the alias `c` (cards) and `d` (designs, LEFT JOINed: a card
 * with the sender's own picture has none), signatures as one JSON array (oldest first) so a card with its
 * signatures is one row of one statement.
 */
export const cardColumns = `
  c.id, c.sign_id, c.title, c.recipient_name, c.recipient_email, c.sender_name, c.sender_email, c.status,
  c.time_zone, api_instant(c.deliver_at) AS deliver_at, api_instant(c.locked_at) AS locked_at,
  api_instant(c.created_at) AS created_at, api_instant(c.delivered_at) AS delivered_at,
  api_instant(c.opened_at) AS opened_at, c.failure_reason, c.upload_url, c.upload_alt,
  d.slug AS design_slug, d.title AS design_title, d.alt_text AS design_alt_text, d.image_key AS design_image_key,
  (SELECT coalesce(json_agg(${signatureJson("s")} ORDER BY s.created_at, s.id), '[]')::text
     FROM signatures s WHERE s.card_id = c.id) AS signatures`;

/** A signature as SignatureView JSON, built in SQL. */
export function signatureJson(alias: string): string {
  return `json_build_object('id', ${alias}.id::text, 'name', ${alias}.name, 'message', ${alias}.message,
    'colour', ${alias}.colour, 'font', ${alias}.font, 'createdAt', api_instant(${alias}.created_at),
    'updatedAt', api_instant(${alias}.updated_at))`;
}

export interface CardRow extends DesignColumns {
  id: string;
  sign_id: string;
  title: string;
  recipient_name: string;
  recipient_email: string;
  sender_name: string;
  sender_email: string;
  status: CardStatus;
  time_zone: string;
  deliver_at: string;
  locked_at: string | null;
  created_at: string;
  delivered_at: string | null;
  opened_at: string | null;
  failure_reason: string | null;
  signatures: string;
}

/** The picture's columns: the catalog design's (null for an upload), or the upload's (null for a design). */
export interface DesignColumns {
  design_slug: string | null;
  design_title: string | null;
  design_alt_text: string | null;
  design_image_key: string | null;
  upload_url: string | null;
  upload_alt: string | null;
}

/** What the pages show on a card's front is never drawn wider than this on a 2× screen. */
const cardPictureWidths = variantWidths.filter((width) => width <= 1280);

/** The card's picture for the pages and the email: a catalog design or the sender's own upload. */
export function designView(row: DesignColumns): DesignView {
  if (row.upload_url !== null)
    return {
      slug: null,
      title: "The sender’s own picture",
      altText: row.upload_alt ?? "",
      imageUrl: row.upload_url,
      srcset: imageSrcset(row.upload_url, cardPictureWidths),
    };
  const imageUrl = designImageUrl({ imageKey: row.design_image_key ?? "" });
  return {
    slug: row.design_slug,
    title: row.design_title ?? "",
    altText: row.design_alt_text ?? "",
    imageUrl,
    srcset: imageSrcset(imageUrl, cardPictureWidths),
  };
}

export function signaturesOf(row: Pick<CardRow, "signatures">): SignatureView[] {
  return JSON.parse(row.signatures) as SignatureView[];
}

/** The three capability links; the organiser's secret only when it was just made (it is not stored). */
export function cardLinks(row: Pick<CardRow, "id" | "sign_id">, organiserSecret?: string): CardLinks {
  return {
    organiser: `/o/${row.id}${organiserSecret === undefined ? "" : `#${organiserSecret}`}`,
    sign: `/s/${row.sign_id}`,
    card: `/c/${row.id}`,
  };
}

export function organiserCard(row: CardRow): OrganiserView["card"] {
  const instant = new Date(row.deliver_at);
  const local = zonedDateTime(instant, row.time_zone);
  return {
    id: row.id,
    title: row.title,
    recipientName: row.recipient_name,
    recipientEmail: row.recipient_email,
    senderName: row.sender_name,
    senderEmail: row.sender_email,
    design: designView(row),
    status: row.status,
    locked: row.locked_at !== null,
    signingOpen: isSigningOpen(row.status, row.locked_at),
    delivery: {
      deliverAt: local.deliverAt,
      timeZone: row.time_zone,
      deliverAtInstant: row.deliver_at,
      offset: local.offset,
    },
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    openedAt: row.opened_at,
    failureReason: row.failure_reason,
  };
}

/** The card as its recipient sees it: no emails, no schedule, no lock. */
export function recipientCard(row: CardRow): CardView {
  return {
    card: {
      id: row.id,
      title: row.title,
      recipientName: row.recipient_name,
      senderName: row.sender_name,
      design: designView(row),
      status: row.status,
      deliveredAt: row.delivered_at,
    },
    signatures: signaturesOf(row),
  };
}
