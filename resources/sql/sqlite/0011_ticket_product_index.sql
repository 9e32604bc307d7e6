-- Check-in lists count tickets by their own product (issue 15): the order list's event filter and
-- the door list look tickets up by product_id, which this index answers without reading every ticket.
CREATE INDEX IF NOT EXISTS ghl_qr_tickets_product_idx ON ghl_qr_tickets (product_id, order_id);
