-- Cards and signing: the card's title line, the sender's email, the sign capability, signing locked,
-- delivery and first-open times; signatures with a per-signature secret (its SHA-256 only), an optional
-- colour and font. Designs are upserted from site/catalog/designs.ts by seedDesigns after migrating.

ALTER TABLE cards
  ADD COLUMN title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
  ADD COLUMN sender_email text NOT NULL CHECK (length(sender_email) BETWEEN 3 AND 320),
  ADD COLUMN sign_id text NOT NULL UNIQUE CHECK (sign_id ~ '^[A-Za-z0-9_-]{22,}$'),
  ADD COLUMN locked_at timestamptz,
  ADD COLUMN delivered_at timestamptz,
  ADD COLUMN opened_at timestamptz,
  ADD CONSTRAINT cards_organiser_secret_hash_length CHECK (length(organiser_secret_hash) = 32),
  ADD CONSTRAINT cards_delivered_when_sent CHECK ((status = 'sent') = (delivered_at IS NOT NULL));

ALTER TABLE signatures
  ADD COLUMN secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  ADD COLUMN colour text CHECK (colour IN ('ink', 'berry', 'ocean', 'forest', 'sunset', 'plum')),
  ADD COLUMN font text CHECK (font IN ('classic', 'modern', 'handwritten', 'marker')),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- An instant as the API's JSON writes it: ISO 8601 in UTC with milliseconds.
CREATE FUNCTION api_instant(value timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT to_char(value AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'')';
