-- Delivery: when a delivery claimed the card (a lease: a claim older than it is a crashed delivery to
-- settle), the SES message ids of the card and of the organiser's confirmation, and why a card failed.
-- Each SES call is one row of deliveries, written with the claim, so an attempt is never invisible.

ALTER TABLE cards
  ADD COLUMN delivery_claimed_at timestamptz,
  ADD COLUMN ses_message_id text,
  ADD COLUMN confirmation_message_id text,
  ADD COLUMN failure_reason text CHECK (length(failure_reason) BETWEEN 1 AND 1000),
  ADD CONSTRAINT cards_claimed_when_sending CHECK ((status = 'sending') = (delivery_claimed_at IS NOT NULL));

ALTER TABLE deliveries
  ADD COLUMN reason text,
  ADD COLUMN finished_at timestamptz,
  DROP CONSTRAINT deliveries_status_check,
  ADD CONSTRAINT deliveries_status_check CHECK (status IN ('sending', 'sent', 'failed', 'retry', 'unknown'));
