-- QR Tickets schema for PostgreSQL.
-- The first four tables are the original web system's, created only if missing so an existing
-- Supabase database is adopted as it is. Everything after only adds: columns, tables, indexes,
-- constraints (NOT VALID: checked for new writes, existing rows are left untouched), triggers.

CREATE TABLE IF NOT EXISTS ghl_qr_orders (
    order_id text PRIMARY KEY,
    location_id text,
    total_paid numeric,
    payment_status text,
    payment_currency text,
    order_status text,
    contact_id text,
    contact_firstname text,
    contact_lastname text,
    contact_email text,
    contact_phone text,
    date_added timestamptz,
    event_id text,
    event_name text,
    event_image text,
    event_ticket_price numeric,
    event_ticket_currency text,
    event_available_qty integer,
    event_ticket_qty integer,
    event_ticket_type text,
    qr_code_image text,
    ticket_quantities jsonb,
    inserted_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ghl_qr_tickets (
    ticket_id serial PRIMARY KEY,
    order_id text REFERENCES ghl_qr_orders (order_id) ON DELETE CASCADE,
    ticket_type text,
    status text DEFAULT 'live'
);

CREATE TABLE IF NOT EXISTS ghl_qr_fields (
    id serial PRIMARY KEY,
    product_id text UNIQUE,
    field_id text,
    field_name text,
    created_at timestamptz DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ghl_qr_users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text,
    email text UNIQUE,
    type text,
    created_at timestamptz DEFAULT now()
);

ALTER TABLE ghl_qr_orders
    ADD COLUMN IF NOT EXISTS ghl_updated_at timestamptz,
    ADD COLUMN IF NOT EXISTS synced_at timestamptz,
    ADD COLUMN IF NOT EXISTS qr_pushed_at timestamptz,
    ADD COLUMN IF NOT EXISTS line_items jsonb,
    ADD COLUMN IF NOT EXISTS tickets_live integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS tickets_used integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS tickets_cancelled integer NOT NULL DEFAULT 0;

ALTER TABLE ghl_qr_tickets
    ADD COLUMN IF NOT EXISTS product_id text,
    ADD COLUMN IF NOT EXISTS code text,
    ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at timestamptz DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_by text;

-- Tickets from the original system get a code too; other writers get one by default.
UPDATE ghl_qr_tickets SET code = replace(gen_random_uuid()::text, '-', '') WHERE code IS NULL;
ALTER TABLE ghl_qr_tickets ALTER COLUMN code SET DEFAULT replace(gen_random_uuid()::text, '-', '');
CREATE UNIQUE INDEX IF NOT EXISTS ghl_qr_tickets_code_key ON ghl_qr_tickets (code);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'ghl_qr_tickets_status_check') THEN
        ALTER TABLE ghl_qr_tickets ADD CONSTRAINT ghl_qr_tickets_status_check
            CHECK (status IN ('live', 'used', 'cancelled')) NOT VALID;
    END IF;
END
$$;

CREATE INDEX IF NOT EXISTS ghl_qr_tickets_order_status_idx ON ghl_qr_tickets (order_id, status);
CREATE INDEX IF NOT EXISTS ghl_qr_orders_event_idx ON ghl_qr_orders (event_id);
CREATE INDEX IF NOT EXISTS ghl_qr_orders_payment_status_idx ON ghl_qr_orders (payment_status);
CREATE INDEX IF NOT EXISTS ghl_qr_orders_date_added_idx ON ghl_qr_orders (date_added);
CREATE INDEX IF NOT EXISTS ghl_qr_orders_updated_at_idx ON ghl_qr_orders (updated_at);
CREATE INDEX IF NOT EXISTS ghl_qr_orders_email_idx ON ghl_qr_orders (lower(contact_email));
CREATE INDEX IF NOT EXISTS ghl_qr_orders_lastname_idx ON ghl_qr_orders (lower(contact_lastname));

CREATE TABLE IF NOT EXISTS ticket_events (
    id bigserial PRIMARY KEY,
    ticket_id integer NOT NULL,
    order_id text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    actor text,
    reason text
);
CREATE INDEX IF NOT EXISTS ticket_events_order_idx ON ticket_events (order_id, at);
CREATE INDEX IF NOT EXISTS ticket_events_ticket_idx ON ticket_events (ticket_id, at);

CREATE TABLE IF NOT EXISTS webhook_inbox (
    id bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    received_at timestamptz NOT NULL DEFAULT now(),
    event_type text,
    order_id text,
    headers jsonb,
    body bytea NOT NULL,
    state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'processing', 'done', 'failed', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    processed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_inbox_due_idx ON webhook_inbox (state, next_attempt_at, id);

CREATE TABLE IF NOT EXISTS sync_runs (
    id bigserial PRIMARY KEY,
    mode text NOT NULL,
    station text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'running',
    total_orders integer NOT NULL DEFAULT 0,
    synced_orders integer NOT NULL DEFAULT 0,
    failed_orders integer NOT NULL DEFAULT 0,
    requests integer NOT NULL DEFAULT 0,
    tickets_added integer NOT NULL DEFAULT 0,
    tickets_cancelled integer NOT NULL DEFAULT 0,
    watermark timestamptz,
    summary jsonb,
    error text
);
CREATE INDEX IF NOT EXISTS sync_runs_started_idx ON sync_runs (started_at);

-- Ticket counts per order, kept by the database so every writer (this program, the original web
-- system, a hand-written UPDATE) keeps them right; the order list sorts and filters on them.
CREATE OR REPLACE FUNCTION qrt_ticket_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE ghl_qr_orders SET
            tickets_live = tickets_live - (OLD.status = 'live')::int,
            tickets_used = tickets_used - (OLD.status = 'used')::int,
            tickets_cancelled = tickets_cancelled - (OLD.status = 'cancelled')::int
        WHERE order_id = OLD.order_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE ghl_qr_orders SET
            tickets_live = tickets_live + (NEW.status = 'live')::int,
            tickets_used = tickets_used + (NEW.status = 'used')::int,
            tickets_cancelled = tickets_cancelled + (NEW.status = 'cancelled')::int
        WHERE order_id = NEW.order_id;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS qrt_ticket_counts ON ghl_qr_tickets;
CREATE TRIGGER qrt_ticket_counts AFTER INSERT OR DELETE OR UPDATE OF status, order_id ON ghl_qr_tickets
    FOR EACH ROW EXECUTE FUNCTION qrt_ticket_counts();

UPDATE ghl_qr_orders o SET
    tickets_live = c.live, tickets_used = c.used, tickets_cancelled = c.cancelled
FROM (
    SELECT order_id,
           count(*) FILTER (WHERE status = 'live') AS live,
           count(*) FILTER (WHERE status = 'used') AS used,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled
    FROM ghl_qr_tickets GROUP BY order_id
) c
WHERE o.order_id = c.order_id;

-- Live updates between stations: one notification per table per transaction (PostgreSQL folds
-- identical payloads), which the desktop receives through QSqlDriver::notification.
CREATE OR REPLACE FUNCTION qrt_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qrtickets_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS qrt_notify_orders ON ghl_qr_orders;
CREATE TRIGGER qrt_notify_orders AFTER INSERT OR UPDATE OR DELETE ON ghl_qr_orders
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
DROP TRIGGER IF EXISTS qrt_notify_tickets ON ghl_qr_tickets;
CREATE TRIGGER qrt_notify_tickets AFTER INSERT OR UPDATE OR DELETE ON ghl_qr_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
DROP TRIGGER IF EXISTS qrt_notify_inbox ON webhook_inbox;
CREATE TRIGGER qrt_notify_inbox AFTER INSERT OR UPDATE ON webhook_inbox
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
DROP TRIGGER IF EXISTS qrt_notify_sync_runs ON sync_runs;
CREATE TRIGGER qrt_notify_sync_runs AFTER INSERT OR UPDATE ON sync_runs
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
