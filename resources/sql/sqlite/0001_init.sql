-- QR Tickets schema for SQLite: the tables of the PostgreSQL schema with the nearest types.
-- Times are UTC ISO-8601 text; JSON is text.

CREATE TABLE ghl_qr_orders (
    order_id text PRIMARY KEY NOT NULL,
    location_id text,
    total_paid real,
    payment_status text,
    payment_currency text,
    order_status text,
    contact_id text,
    contact_firstname text,
    contact_lastname text,
    contact_email text,
    contact_phone text,
    date_added text,
    event_id text,
    event_name text,
    event_image text,
    event_ticket_price real,
    event_ticket_currency text,
    event_available_qty integer,
    event_ticket_qty integer,
    event_ticket_type text,
    qr_code_image text,
    ticket_quantities text,
    inserted_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ghl_updated_at text,
    synced_at text,
    qr_pushed_at text,
    line_items text,
    tickets_live integer NOT NULL DEFAULT 0,
    tickets_used integer NOT NULL DEFAULT 0,
    tickets_cancelled integer NOT NULL DEFAULT 0
);

CREATE TABLE ghl_qr_tickets (
    ticket_id integer PRIMARY KEY AUTOINCREMENT,
    order_id text REFERENCES ghl_qr_orders (order_id) ON DELETE CASCADE,
    ticket_type text,
    status text DEFAULT 'live' CHECK (status IN ('live', 'used', 'cancelled')),
    product_id text,
    code text NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_by text
);
CREATE UNIQUE INDEX ghl_qr_tickets_code_key ON ghl_qr_tickets (code);
CREATE INDEX ghl_qr_tickets_order_status_idx ON ghl_qr_tickets (order_id, status);

CREATE TABLE ghl_qr_fields (
    id integer PRIMARY KEY AUTOINCREMENT,
    product_id text UNIQUE,
    field_id text,
    field_name text,
    created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE ghl_qr_users (
    id text PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    name text,
    email text UNIQUE,
    type text,
    created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX ghl_qr_orders_event_idx ON ghl_qr_orders (event_id);
CREATE INDEX ghl_qr_orders_payment_status_idx ON ghl_qr_orders (payment_status);
CREATE INDEX ghl_qr_orders_date_added_idx ON ghl_qr_orders (date_added);
CREATE INDEX ghl_qr_orders_updated_at_idx ON ghl_qr_orders (updated_at);
CREATE INDEX ghl_qr_orders_email_idx ON ghl_qr_orders (lower(contact_email));
CREATE INDEX ghl_qr_orders_lastname_idx ON ghl_qr_orders (lower(contact_lastname));

CREATE TABLE ticket_events (
    id integer PRIMARY KEY AUTOINCREMENT,
    ticket_id integer NOT NULL,
    order_id text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor text,
    reason text
);
CREATE INDEX ticket_events_order_idx ON ticket_events (order_id, at);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, at);

CREATE TABLE webhook_inbox (
    id integer PRIMARY KEY AUTOINCREMENT,
    idempotency_key text NOT NULL UNIQUE,
    received_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    event_type text,
    order_id text,
    headers text,
    body blob NOT NULL,
    state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'processing', 'done', 'failed', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_error text,
    processed_at text,
    updated_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX webhook_inbox_due_idx ON webhook_inbox (state, next_attempt_at, id);

CREATE TABLE sync_runs (
    id integer PRIMARY KEY AUTOINCREMENT,
    mode text NOT NULL,
    station text,
    started_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at text,
    status text NOT NULL DEFAULT 'running',
    total_orders integer NOT NULL DEFAULT 0,
    synced_orders integer NOT NULL DEFAULT 0,
    failed_orders integer NOT NULL DEFAULT 0,
    requests integer NOT NULL DEFAULT 0,
    tickets_added integer NOT NULL DEFAULT 0,
    tickets_cancelled integer NOT NULL DEFAULT 0,
    watermark text,
    summary text,
    error text
);
CREATE INDEX sync_runs_started_idx ON sync_runs (started_at);

CREATE TRIGGER qrt_ticket_counts_insert AFTER INSERT ON ghl_qr_tickets
BEGIN
    UPDATE ghl_qr_orders SET
        tickets_live = tickets_live + (NEW.status = 'live'),
        tickets_used = tickets_used + (NEW.status = 'used'),
        tickets_cancelled = tickets_cancelled + (NEW.status = 'cancelled')
    WHERE order_id = NEW.order_id;
END;

CREATE TRIGGER qrt_ticket_counts_delete AFTER DELETE ON ghl_qr_tickets
BEGIN
    UPDATE ghl_qr_orders SET
        tickets_live = tickets_live - (OLD.status = 'live'),
        tickets_used = tickets_used - (OLD.status = 'used'),
        tickets_cancelled = tickets_cancelled - (OLD.status = 'cancelled')
    WHERE order_id = OLD.order_id;
END;

CREATE TRIGGER qrt_ticket_counts_update AFTER UPDATE OF status, order_id ON ghl_qr_tickets
BEGIN
    UPDATE ghl_qr_orders SET
        tickets_live = tickets_live - (OLD.status = 'live'),
        tickets_used = tickets_used - (OLD.status = 'used'),
        tickets_cancelled = tickets_cancelled - (OLD.status = 'cancelled')
    WHERE order_id = OLD.order_id;
    UPDATE ghl_qr_orders SET
        tickets_live = tickets_live + (NEW.status = 'live'),
        tickets_used = tickets_used + (NEW.status = 'used'),
        tickets_cancelled = tickets_cancelled + (NEW.status = 'cancelled')
    WHERE order_id = NEW.order_id;
END;
