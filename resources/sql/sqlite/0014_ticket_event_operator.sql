-- Who made each ticket change (issue 13). SQLite has no database users: the column stays empty
-- (one station; its name is in actor).
ALTER TABLE ticket_events ADD COLUMN operator text;

-- The login a ghl_qr_users row is linked to (PostgreSQL operators; kept for the same schema).
ALTER TABLE ghl_qr_users ADD COLUMN operator text;
