-- Offline mode at the door (issue 15 point 5): the queue of admissions a station made while the
-- shared database did not answer lives in that station's door cache (a SQLite file, see the SQLite
-- migration 0013). The table exists here too so both schemas stay the same; nothing writes it here.
CREATE TABLE IF NOT EXISTS door_queue (
    id bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL,
    order_id text NOT NULL,
    station text,
    operator text,
    admitted_at timestamptz NOT NULL,
    mode text NOT NULL DEFAULT 'offline',
    reason text,
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'uploaded', 'conflict')),
    conflict_by text,
    conflict_at timestamptz,
    conflict_reason text,
    uploaded_at timestamptz
);
CREATE INDEX IF NOT EXISTS door_queue_state_idx ON door_queue (state, id);
-- The cache's own bookkeeping (the last pull's watermark, the operator recorded with the queue).
CREATE TABLE IF NOT EXISTS door_cache_meta (
    key text PRIMARY KEY NOT NULL,
    value text
);
