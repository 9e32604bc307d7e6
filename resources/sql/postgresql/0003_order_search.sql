-- Search as you type over 100,000 orders: one lower-case column holding everything a search
-- matches (order id, names, e-mail, phone) instead of lower() on five columns for every row.
-- A generated column, so every writer keeps it right.
ALTER TABLE ghl_qr_orders ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS AS (
    lower(order_id || ' ' || coalesce(contact_firstname, '') || ' ' || coalesce(contact_lastname, '') || ' '
          || coalesce(contact_email, '') || ' ' || coalesce(contact_phone, ''))) STORED;

-- With pg_trgm (PostgreSQL contrib, available on Supabase) a GIN trigram index serves
-- LIKE '%word%'. Without the extension or the right to create it, searching still works, unindexed.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): order search runs without a trigram index', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS ghl_qr_orders_search_trgm_idx ON ghl_qr_orders '
                'USING gin (search_text gin_trgm_ops)';
    END IF;
END
$$;
