-- Search as you type over 100,000 orders: one lower-case column holding everything a search
-- matches (order id, names, e-mail, phone). SQLite cannot add a stored generated column to an
-- existing table, so triggers keep it right for every writer.
ALTER TABLE ghl_qr_orders ADD COLUMN search_text text;

UPDATE ghl_qr_orders SET search_text = lower(order_id || ' ' || coalesce(contact_firstname, '') || ' '
    || coalesce(contact_lastname, '') || ' ' || coalesce(contact_email, '') || ' ' || coalesce(contact_phone, ''));

CREATE TRIGGER qrt_orders_search_insert AFTER INSERT ON ghl_qr_orders
BEGIN
    UPDATE ghl_qr_orders SET search_text = lower(NEW.order_id || ' ' || coalesce(NEW.contact_firstname, '') || ' '
        || coalesce(NEW.contact_lastname, '') || ' ' || coalesce(NEW.contact_email, '') || ' '
        || coalesce(NEW.contact_phone, ''))
    WHERE order_id = NEW.order_id;
END;

CREATE TRIGGER qrt_orders_search_update
AFTER UPDATE OF order_id, contact_firstname, contact_lastname, contact_email, contact_phone ON ghl_qr_orders
BEGIN
    UPDATE ghl_qr_orders SET search_text = lower(NEW.order_id || ' ' || coalesce(NEW.contact_firstname, '') || ' '
        || coalesce(NEW.contact_lastname, '') || ' ' || coalesce(NEW.contact_email, '') || ' '
        || coalesce(NEW.contact_phone, ''))
    WHERE order_id = NEW.order_id;
END;

-- The order list's default view: newest first. Walking this narrow index in date order finds a
-- page of common matches at once and scans ~80 bytes an order for rare ones (~12 ms on 100,000
-- orders), where the date index alone looked up every row (~100 ms) and a table scan reads the
-- wide rows (~110 ms).
CREATE INDEX ghl_qr_orders_date_search_idx ON ghl_qr_orders (date_added, search_text);
