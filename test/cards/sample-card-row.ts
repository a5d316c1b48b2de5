// A card row as the Data API returns it, for the pure views and emails: a sent card of the catalog's
// Balloon Bunch with no signatures; each test overrides what it is about.
import type { CardRow } from "../../origin/cards/card-rows.ts";

export const sampleCardRow = (overrides: Partial<CardRow> = {}): CardRow => ({
  id: "abcdefghijklmnopqrstuv",
  sign_id: "s".repeat(22),
  title: "Happy birthday!",
  recipient_name: "Sam",
  recipient_email: "sam@example.com",
  sender_name: "Alex",
  sender_email: "alex@example.com",
  status: "sent",
  time_zone: "UTC",
  deliver_at: "2027-04-01T09:00:00.000Z",
  locked_at: null,
  created_at: "2027-03-01T09:00:00.000Z",
  delivered_at: "2027-04-01T09:00:01.000Z",
  opened_at: null,
  failure_reason: null,
  design_slug: "balloon-bunch",
  design_title: "Balloon Bunch",
  design_alt_text: "Balloons",
  design_image_key: "designs/balloon-bunch.svg",
  upload_url: null,
  upload_alt: null,
  signatures: "[]",
  ...overrides,
});
