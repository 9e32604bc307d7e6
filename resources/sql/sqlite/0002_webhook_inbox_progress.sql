-- Inbox worker bookkeeping; see the PostgreSQL file of the same number.
ALTER TABLE webhook_inbox ADD COLUMN contact_id text;
ALTER TABLE webhook_inbox ADD COLUMN pushed text;
ALTER TABLE webhook_inbox ADD COLUMN warning text;
ALTER TABLE webhook_inbox ADD COLUMN claimed_by text;
CREATE INDEX IF NOT EXISTS webhook_inbox_received_idx ON webhook_inbox (received_at);
