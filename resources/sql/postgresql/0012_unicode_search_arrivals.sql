-- Unicode search (issue 15 point 8), and arrivals over time (point 6).
-- search_text is a generated column of lower(), which in a C-locale database (initdb --no-locale,
-- some hosted servers) changes only A-Z, and never folds ß. search_fold holds the text folded in
-- C++ (db::foldForSearch): the migrator re-folds every row right after these statements, our
-- writers store it after each upsert (db::SearchTextWriter), and this trigger keeps a lower()
-- fallback for other writers.
ALTER TABLE ghl_qr_orders ADD COLUMN IF NOT EXISTS search_fold text;

UPDATE ghl_qr_orders SET search_fold = search_text WHERE search_fold IS NULL;

CREATE OR REPLACE FUNCTION qrt_orders_search_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_fold := lower(NEW.order_id || ' ' || coalesce(NEW.contact_firstname, '') || ' '
        || coalesce(NEW.contact_lastname, '') || ' ' || coalesce(NEW.contact_email, '') || ' '
        || coalesce(NEW.contact_phone, ''));
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS qrt_orders_search_fold ON ghl_qr_orders;
CREATE TRIGGER qrt_orders_search_fold
BEFORE INSERT OR UPDATE OF order_id, contact_firstname, contact_lastname, contact_email, contact_phone ON ghl_qr_orders
FOR EACH ROW EXECUTE FUNCTION qrt_orders_search_fold();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS ghl_qr_orders_search_fold_trgm_idx ON ghl_qr_orders '
                'USING gin (search_fold gin_trgm_ops)';
    END IF;
END
$$;

-- Arrivals: admissions of the last hours, read by time.
CREATE INDEX IF NOT EXISTS ticket_events_at_idx ON ticket_events (at);
