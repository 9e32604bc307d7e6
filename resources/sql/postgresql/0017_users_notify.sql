-- The Users page follows other stations' changes (issue 13 point 5): a change to ghl_qr_users is
-- announced on qrtickets_changes like the orders' and tickets' (qrt_notify_change, migration 1).
-- SQLite needs nothing: its stations see every commit through PRAGMA data_version.
DROP TRIGGER IF EXISTS qrt_notify_users ON ghl_qr_users;
CREATE TRIGGER qrt_notify_users AFTER INSERT OR UPDATE OR DELETE ON ghl_qr_users
    FOR EACH STATEMENT EXECUTE FUNCTION qrt_notify_change();
