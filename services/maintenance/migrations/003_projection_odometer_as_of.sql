-- The vehicle's odometer is the one of the newest vehicle event (vehicles derives it from the
-- odometer log, which may lower it: a mistyped reading removed, a replaced odometer confirmed),
-- no longer the highest ever seen. NULL: set before this column existed (any event replaces it).
ALTER TABLE vehicle_projection ADD COLUMN odometer_at TIMESTAMPTZ;
