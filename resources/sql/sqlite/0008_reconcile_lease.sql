-- The reconciliation loop (issue 12): one row says which station reconciles now and until when,
-- and what the last reconciliation did. lease_until is always written from the database's clock
-- (strftime(..., 'now')), so a station whose own clock is off can neither steal a live lease nor
-- keep a dead one. Times are ISO-8601 UTC text, as everywhere in this schema.
CREATE TABLE reconcile_lease (
    id integer PRIMARY KEY CHECK (id = 1),
    holder text,            -- the running reconciler's instance id (station plus process), NULL when free
    holder_station text,    -- its station name, for "reconciled by station X"
    lease_until text,   -- renewed while it runs; another station takes the lease only after this
    started_at text,
    last_holder text,       -- the last reconciliation that finished (not cancelled)
    last_station text,
    last_started_at text,
    last_finished_at text,
    last_summary text       -- JSON: what it healed (orders synced and new, QR codes delivered, failures)
);
INSERT INTO reconcile_lease (id) VALUES (1);
