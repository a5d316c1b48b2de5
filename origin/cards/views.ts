// The JSON the cards API answers with, as types the pages import: one shape per view (the public card,
// the sign page, the organiser page). Browser-safe: types only.
import type { SignatureColour, SignatureFont } from "./schema.ts";

/** The state of a card: created scheduled; "sending"/"failed" belong to the delivery job. */
export type CardStatus = "draft" | "scheduled" | "sending" | "sent" | "failed" | "cancelled";

/** The card's picture: a catalog design, or the sender's own upload (slug null, altText theirs). */
export interface DesignView {
  /** The catalog design's slug; null when the card shows the sender's own picture. */
  slug: string | null;
  title: string;
  altText: string;
  /** Path of the original on this site, like "/img/catalog/balloon-bunch.svg" or "/img/uploads/<id>.jpg". */
  imageUrl: string;
  /** Its size variants as an `srcset` ("/img/…?w=320 320w, …"); the edge picks the format. */
  srcset: string;
}

export interface SignatureView {
  /** Opaque id (a string of digits today); pass it back as it is. */
  id: string;
  name: string;
  message: string;
  colour: SignatureColour | null;
  font: SignatureFont | null;
  /** ISO 8601 instants. */
  createdAt: string;
  updatedAt: string;
}

/** Where the delivery stands, for every view that shows it. */
export interface DeliveryView {
  /** The organiser's local wall time and zone, as sent. */
  deliverAt: string;
  timeZone: string;
  /** The instant that wall time resolved to, and the offset in force then. */
  deliverAtInstant: string;
  offset: string;
}

/** GET /api/cards/<cardId>: the card as the recipient sees it. */
export interface CardView {
  card: {
    id: string;
    title: string;
    recipientName: string;
    senderName: string;
    design: DesignView;
    status: CardStatus;
    /** Null until delivered. */
    deliveredAt: string | null;
  };
  signatures: SignatureView[];
}

/** GET /api/sign/<signId>: what the sign page needs; never the organiser's or recipient's email. */
export interface SignPageView {
  card: {
    title: string;
    recipientName: string;
    senderName: string;
    design: DesignView;
    status: CardStatus;
    locked: boolean;
    /** False when the card is locked, sent, being sent or cancelled. */
    signingOpen: boolean;
    deliverAtInstant: string;
    signatureCount: number;
  };
  /** The API's clock (GOODGREETS_NOW locally): countdowns use it, not the browser's. */
  now: string;
}

/** GET /api/cards/<cardId>/organiser: everything the organiser page shows. */
export interface OrganiserView {
  card: {
    id: string;
    title: string;
    recipientName: string;
    recipientEmail: string;
    senderName: string;
    senderEmail: string;
    design: DesignView;
    status: CardStatus;
    locked: boolean;
    signingOpen: boolean;
    delivery: DeliveryView;
    createdAt: string;
    deliveredAt: string | null;
    /** When the recipient first opened the delivered card (the open beacon). */
    openedAt: string | null;
    /** Why delivery failed (SES's refusal, or "outcome unknown: …"); null unless the card failed. */
    failureReason: string | null;
  };
  signatures: SignatureView[];
  links: CardLinks;
  now: string;
}

/** The three capability links, as site paths. The organiser link keeps its secret in the fragment. */
export interface CardLinks {
  organiser: string;
  sign: string;
  card: string;
}

/** POST /api/cards (201). */
export interface CreatedCard {
  card: OrganiserView["card"];
  links: CardLinks;
  /** The same secret as in links.organiser's fragment; send it as x-organiser-secret. */
  organiserSecret: string;
}

/** POST /api/sign/<signId>/signatures (201): keep `secret` on this browser to edit or delete later. */
export interface CreatedSignature {
  signature: SignatureView;
  secret: string;
}

/**
 * DELETE /api/cards/<cardId> (202): the card is deleted and answers no link, but some copies of it (its
 * picture, the edge's cache) are still being removed. A delete with nothing left over answers 204, no body.
 */
export interface CardDeletedPending {
  deleted: true;
  cleanup: "pending";
  code: "delete_incomplete";
  message: string;
}

/** GET /api/time. */
export interface TimeView {
  now: string;
}
