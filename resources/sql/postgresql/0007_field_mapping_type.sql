-- The mapped custom field's GHL dataType (TEXT, LARGE_TEXT, FILE_UPLOAD, ...), stored with the
-- mapping: QR delivery follows it (a data URL through PUT /contacts/{id} for TEXT / LARGE_TEXT, the
-- PNG through POST /forms/upload-custom-files for FILE_UPLOAD). NULL for mappings made before this
-- column or adopted from the original system: the caller asks GHL's custom field list.
ALTER TABLE ghl_qr_fields ADD COLUMN IF NOT EXISTS field_type text;
