-- Imported fill-ups carry a stable key (a hash of vehicle, time, odometer or trip, quantity and
-- total cost, domain/imports.import_key): importing the same file again inserts nothing, ON
-- CONFLICT DO NOTHING against this index. Fill-ups entered through the API have none.
ALTER TABLE fuel_logs ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX fuel_logs_import_key ON fuel_logs (user_id, import_key) WHERE import_key IS NOT NULL;
