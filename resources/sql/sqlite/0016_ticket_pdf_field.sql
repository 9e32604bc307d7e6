-- Issue 14 point 3: a second contact custom field per product (event) for the buyer's ticket PDF
-- (one page per ticket with the QR of that ticket's own code), next to field_id, which keeps the
-- order's QR. Always a FILE_UPLOAD field: the PDF goes through POST /forms/upload-custom-files as
-- tickets-<order_id>.pdf, exactly once per (order, field) through qr_outbox like the QR. NULL: no
-- ticket PDF for this product.
ALTER TABLE ghl_qr_fields ADD COLUMN ticket_pdf_field_id text;
ALTER TABLE ghl_qr_fields ADD COLUMN ticket_pdf_field_name text;
