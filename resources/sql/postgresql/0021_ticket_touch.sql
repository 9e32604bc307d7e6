-- The door cache's delta pull reads the tickets whose updated_at moved (src/door/doorcache.cpp). A
-- statement that changes a ticket without setting updated_at (the original web system, psql, any
-- other tool on the shared database) was never seen by a station's offline copy: set updated_at to
-- now when what the door reads changes and the statement left updated_at as it was. A statement that sets it
-- (the program's admissions, undo, sync) keeps its value. No extra statement per scan: a row trigger.
CREATE OR REPLACE FUNCTION qrt_ticket_touch() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- A used ticket's updated_at is when it was admitted (the door says "already used at" it): a
    -- product or type reassignment of a used ticket leaves it alone.
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
       AND (NEW.status IS DISTINCT FROM OLD.status OR NEW.code IS DISTINCT FROM OLD.code
            OR NEW.order_id IS DISTINCT FROM OLD.order_id
            OR ((NEW.product_id IS DISTINCT FROM OLD.product_id OR NEW.ticket_type IS DISTINCT FROM OLD.ticket_type)
                AND NEW.status IS DISTINCT FROM 'used')) THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS qrt_ticket_touch ON ghl_qr_tickets;
CREATE TRIGGER qrt_ticket_touch BEFORE UPDATE ON ghl_qr_tickets
    FOR EACH ROW EXECUTE FUNCTION qrt_ticket_touch();
