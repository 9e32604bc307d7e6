-- Inbox worker bookkeeping (webhook_inbox of 0001 stays as it is; columns are only added).
--   contact_id: the contact the event's QR goes to (from the payload or, failing that, the order)
--   pushed:     JSON array of contact custom-field ids already written for this event, so a retry or a
--               restart after a crash never sends the same contact update twice
--   warning:    a problem that did not stop the event, e.g. a product without a field mapping
--   claimed_by: the station whose worker holds (or last held) the event
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS contact_id text;
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS pushed text;
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS warning text;
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS claimed_by text;
CREATE INDEX IF NOT EXISTS webhook_inbox_received_idx ON webhook_inbox (received_at);
