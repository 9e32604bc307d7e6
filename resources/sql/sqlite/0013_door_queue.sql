-- Offline mode at the door (issue 15 point 5, PRODUCT.md section 4b). A station's door cache is a
-- SQLite file with this schema holding copies of the door's rows; an admission made while the shared
-- database does not answer is queued here first (in the same transaction as the admission in the
-- cache), uploaded through the conditional UPDATE when it answers again, and kept with its outcome:
-- 'uploaded', or 'conflict' when another station admitted the ticket meanwhile (conflict_by/_at).
CREATE TABLE IF NOT EXISTS door_queue (
    id integer PRIMARY KEY AUTOINCREMENT,
    ticket_id integer NOT NULL,
    order_id text NOT NULL,
    station text,
    operator text,
    admitted_at text NOT NULL,
    mode text NOT NULL DEFAULT 'offline',
    reason text,
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'uploaded', 'conflict')),
    conflict_by text,
    conflict_at text,
    conflict_reason text,
    uploaded_at text
);
CREATE INDEX IF NOT EXISTS door_queue_state_idx ON door_queue (state, id);
-- The cache's own bookkeeping (the last pull's watermark, the operator recorded with the queue).
CREATE TABLE IF NOT EXISTS door_cache_meta (
    key text PRIMARY KEY NOT NULL,
    value text
);
