-- The first schema: the catalog's designs, cards with their delivery state machine, signatures and
-- delivery attempts. Identifiers of cards are capability ids (≥128 bits, base64url) made by the API.

CREATE TABLE designs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
  category text NOT NULL,
  alt_text text NOT NULL CHECK (length(alt_text) BETWEEN 1 AND 500),
  image_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cards (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22,}$'),
  design_id bigint NOT NULL REFERENCES designs (id),
  recipient_name text NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 200),
  recipient_email text NOT NULL CHECK (length(recipient_email) BETWEEN 3 AND 320),
  sender_name text NOT NULL CHECK (length(sender_name) BETWEEN 1 AND 200),
  deliver_at timestamptz NOT NULL,
  time_zone text NOT NULL,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'failed', 'cancelled')),
  organiser_secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_due ON cards (deliver_at) WHERE status = 'scheduled';

CREATE TABLE signatures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_id text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signatures_by_card ON signatures (card_id, created_at);

CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_id text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  ses_message_id text,
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (card_id, attempt)
);
