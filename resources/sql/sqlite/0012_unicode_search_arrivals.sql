-- Unicode search and name sort (issue 15 point 8), and arrivals over time (point 6).
-- search_text is re-folded in C++ right after these statements (db::refoldSearchColumn, run by the
-- migrator for this version): SQLite's lower() changes only A-Z. The triggers of 0003 stay as the
-- fallback for writers other than this program; ours store the folded text after them
-- (db::SearchTextWriter).

-- Name sorts use the collation qrt_name (Unicode rules through QCollator), registered on every
-- connection this program opens. Walking this index in name order finds a page of matches of a
-- search without sorting 100,000 rows with the collation; search_text in it answers the LIKE
-- without reading the rows.
CREATE INDEX ghl_qr_orders_name_search_idx ON ghl_qr_orders (contact_lastname COLLATE qrt_name,
    contact_firstname COLLATE qrt_name, order_id, search_text);

-- Arrivals: admissions of the last hours, read by time.
CREATE INDEX ticket_events_at_idx ON ticket_events (at);
