-- The door cache's delta pull reads the tickets whose updated_at moved (src/door/doorcache.cpp). A
-- statement that changes a ticket without setting updated_at (another tool on the database file)
-- would never reach a cache: set updated_at to now when what the door reads changed (a used ticket's
-- product or type reassignment excepted: its updated_at is when it was admitted) and the statement left
-- updated_at as it was. A statement that sets it keeps its value. The UPDATE below changes only
-- updated_at, so this trigger's WHEN is false for it (no recursion, even with recursive_triggers).
CREATE TRIGGER IF NOT EXISTS qrt_ticket_touch AFTER UPDATE ON ghl_qr_tickets
WHEN NEW.updated_at IS OLD.updated_at
 AND (NEW.status IS NOT OLD.status OR NEW.order_id IS NOT OLD.order_id OR NEW.code IS NOT OLD.code
      OR ((NEW.ticket_type IS NOT OLD.ticket_type OR NEW.product_id IS NOT OLD.product_id)
          AND NEW.status IS NOT 'used'))
BEGIN
    UPDATE ghl_qr_tickets SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE ticket_id = NEW.ticket_id;
END;
