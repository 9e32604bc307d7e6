-- Issue 14 point 3 (review): what a qr_outbox row delivers to its field, 'qr' (the order's QR)
-- or 'pdf' (the ticket PDF). The row stays keyed by (order_id, field_id); a field that delivered
-- one kind and is then mapped for the other is not taken as delivered: the row switches kind,
-- counts that as an attempt (so the next claim reads the contact's field first, by the file name
-- or value) and is delivered again. Rows from before this migration delivered a QR.
ALTER TABLE qr_outbox ADD COLUMN kind text NOT NULL DEFAULT 'qr';
