-- Cards with the sender's own picture: upload_url is the accepted picture's site path, as
-- POST /api/uploads/<id>/check returned it (/img/uploads/<uploadId>.<ext>), and upload_alt the sender's
-- description of it. A card has either a catalog design or an upload, never both; UNIQUE keeps one
-- uploaded picture to one card (an uploaded design is private to its card).

ALTER TABLE cards
  ALTER COLUMN design_id DROP NOT NULL,
  ADD COLUMN upload_url text UNIQUE
    CHECK (upload_url ~ '^/img/uploads/[A-Za-z0-9_-]{22}\.(jpg|png|webp|gif|avif)$'),
  ADD COLUMN upload_alt text CHECK (length(upload_alt) BETWEEN 1 AND 300),
  ADD CONSTRAINT cards_design_or_upload CHECK ((design_id IS NULL) <> (upload_url IS NULL)),
  ADD CONSTRAINT cards_upload_described CHECK ((upload_url IS NULL) = (upload_alt IS NULL));
