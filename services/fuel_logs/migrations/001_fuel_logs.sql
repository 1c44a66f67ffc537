-- What fuel_logs knows of vehicles, learned from vehicle events (never from the vehicles database).
CREATE TABLE vehicle_projection (
    vehicle_id UUID PRIMARY KEY,
    user_id    TEXT NOT NULL,
    odometer   INT NOT NULL DEFAULT 0,
    deleted    BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE fuel_logs (
    id               UUID PRIMARY KEY,
    user_id          TEXT NOT NULL,
    vehicle_id       UUID NOT NULL,
    date_time        TIMESTAMPTZ NOT NULL,
    odometer_reading INT CHECK (odometer_reading >= 0),
    trip_distance    NUMERIC(10, 1) CHECK (trip_distance > 0),
    fuel_units       NUMERIC(10, 3) NOT NULL CHECK (fuel_units > 0),
    cost_per_unit    NUMERIC(10, 3) NOT NULL CHECK (cost_per_unit >= 0),
    total_cost       NUMERIC(12, 2) NOT NULL,
    notes            TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (odometer_reading IS NOT NULL OR trip_distance IS NOT NULL)
);
CREATE INDEX fuel_logs_user ON fuel_logs (user_id, date_time);
CREATE INDEX fuel_logs_vehicle ON fuel_logs (vehicle_id, odometer_reading);
