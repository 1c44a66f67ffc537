-- Canonical storage (miles, US gallons or kWh, price per gallon or kWh) keeps enough digits that a
-- value entered in km or litres converts back to exactly what was entered at display precision;
-- a price per litre times the exact litres per gallon is stored exactly (unbounded NUMERIC).
ALTER TABLE fuel_logs
    ALTER COLUMN odometer_reading TYPE NUMERIC(16, 6),
    ALTER COLUMN trip_distance TYPE NUMERIC(16, 6),
    ALTER COLUMN fuel_units TYPE NUMERIC(18, 9),
    ALTER COLUMN cost_per_unit TYPE NUMERIC,
    ADD COLUMN fuel_type TEXT NOT NULL DEFAULT 'gasoline' CHECK (fuel_type IN ('gasoline', 'diesel', 'electric')),
    ADD COLUMN fuel_grade TEXT,
    ADD COLUMN is_full_fill BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN missed_previous BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN location_data JSONB,
    ADD COLUMN station_place_id TEXT,
    -- Set when an upload URL is handed out; the object may not exist until the client uploads.
    ADD COLUMN receipt_key TEXT,
    ADD COLUMN receipt_content_type TEXT;

CREATE INDEX fuel_logs_user_vehicle ON fuel_logs (user_id, vehicle_id);

-- The vehicle's fuel type, from vehicle events: the default of a fill-up that names none.
ALTER TABLE vehicle_projection ADD COLUMN fuel_type TEXT;
