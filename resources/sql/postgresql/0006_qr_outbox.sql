-- The QR outbox (issue 12 point 2, issue 16 "exactly-once"): one row per (order, contact custom
-- field) the order's QR goes to.
--   state:           pending | claimed | delivered | failed | superseded (a newer order of the same
--                    contact holds the field: the field keeps the newest order's QR)
--   attempts:        claims so far; a row claimed before is checked with GET /contacts/{id} before
--                    it is written again (a crash may have come between GHL's answer and the record)
--   lease_until:     a claim holds the row until then (60 s, always from the database's clock: now())
--   delivered_value: what was delivered: "sha256:<hex>" of the data URL (TEXT / LARGE_TEXT) or the
--                    file name qr-<order_id>.png (FILE_UPLOAD); "adopted" / "webhook_inbox.pushed"
--                    for deliveries recorded before this table
CREATE TABLE IF NOT EXISTS qr_outbox (
    order_id text NOT NULL,
    field_id text NOT NULL,
    contact_id text,
    field_type text,
    state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'delivered', 'failed', 'superseded')),
    attempts integer NOT NULL DEFAULT 0,
    lease_until timestamptz,
    claimed_by text,
    delivered_at timestamptz,
    delivered_value text,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, field_id)
);
CREATE INDEX IF NOT EXISTS qr_outbox_contact_idx ON qr_outbox (contact_id, field_id);

-- The inbox worker's lease on a 'processing' event (60 s from the database's clock, renewed while
-- it works): once it has expired, any worker of any station claims the event again. attempts_since:
-- when the current series of attempts began; the event is dead only after a horizon (24 h) from it.
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS lease_until timestamptz;
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS attempts_since timestamptz;
CREATE INDEX IF NOT EXISTS webhook_inbox_lease_idx ON webhook_inbox (lease_until) WHERE state = 'processing';
