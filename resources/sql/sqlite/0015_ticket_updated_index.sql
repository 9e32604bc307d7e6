-- Every door station pulls the tickets changed since its last look (its offline door cache, every
-- 5 s and on each change another station announces): this index answers that without reading
-- every ticket each time.
CREATE INDEX IF NOT EXISTS ghl_qr_tickets_updated_at_idx ON ghl_qr_tickets (updated_at);
