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
