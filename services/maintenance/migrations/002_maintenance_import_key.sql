-- Imported records carry a stable key (a hash of vehicle, date, odometer, cost and description,
-- domain/imports.import_key): importing the same file again inserts nothing, ON CONFLICT DO
-- NOTHING against this index. Records entered through the API have none.
ALTER TABLE maintenance_records ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX maintenance_records_import_key ON maintenance_records (user_id, import_key)
    WHERE import_key IS NOT NULL;
