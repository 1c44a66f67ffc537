-- What maintenance knows of vehicles, learned from vehicle events (never from the vehicles database).
-- Odometers are miles, like every distance here; a deleted vehicle stays as a tombstone so a late
-- `created` or `updated` cannot bring it back.
CREATE TABLE vehicle_projection (
    vehicle_id UUID PRIMARY KEY,
    user_id    TEXT NOT NULL,
    odometer   NUMERIC(14, 6) NOT NULL DEFAULT 0,
    deleted    BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Odometer readings seen in vehicle events, by day: with the records' readings they give the
-- recent driving rate that projects when a distance-based schedule falls due.
CREATE TABLE vehicle_odometer_readings (
    vehicle_id  UUID NOT NULL,
    user_id     TEXT NOT NULL,
    observed_on DATE NOT NULL,
    odometer    NUMERIC(14, 6) NOT NULL,
    PRIMARY KEY (vehicle_id, observed_on, odometer)
);

CREATE TABLE maintenance_records (
    id               UUID PRIMARY KEY,
    user_id          TEXT NOT NULL,
    vehicle_id       UUID NOT NULL,
    category         VARCHAR(50) NOT NULL
                     CHECK (category IN ('routine_maintenance', 'repair', 'performance_upgrade')),
    subtypes         TEXT[] NOT NULL CHECK (cardinality(subtypes) >= 1),
    date             DATE NOT NULL,
    odometer_reading NUMERIC(14, 6) CHECK (odometer_reading >= 0),
    cost             NUMERIC(12, 2) CHECK (cost >= 0),
    shop_name        VARCHAR(200),
    notes            TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_records_vehicle ON maintenance_records (user_id, vehicle_id, date);

CREATE TABLE maintenance_schedules (
    id                    UUID PRIMARY KEY,
    user_id               TEXT NOT NULL,
    vehicle_id            UUID NOT NULL,
    category              VARCHAR(50) NOT NULL
                          CHECK (category IN ('routine_maintenance', 'repair', 'performance_upgrade')),
    subtypes              TEXT[] NOT NULL CHECK (cardinality(subtypes) >= 1),
    interval_months       INT CHECK (interval_months > 0),
    interval_distance     NUMERIC(14, 6) CHECK (interval_distance > 0),
    fixed_intervals       BOOLEAN NOT NULL DEFAULT false,
    -- The current cycle's base: date = anchor_date + base_months (kept apart so month ends do
    -- not drift), and odometer. Next due = base + interval, stored for the due sweep's queries.
    anchor_date           DATE NOT NULL,
    base_months           INT NOT NULL DEFAULT 0,
    base_odometer         NUMERIC(14, 6) NOT NULL,
    next_due_date         DATE,
    next_due_odometer     NUMERIC(14, 6),
    last_service_date     DATE,
    last_service_odometer NUMERIC(14, 6),
    last_record_id        UUID,
    very_urgent_days      INT CHECK (very_urgent_days >= 0),
    urgent_days           INT CHECK (urgent_days >= 0),
    very_urgent_distance  NUMERIC(14, 6) CHECK (very_urgent_distance >= 0),
    urgent_distance       NUMERIC(14, 6) CHECK (urgent_distance >= 0),
    notes                 TEXT,
    -- Each new due point (completion, edit of the due values) is a new cycle; notified_cycle is
    -- the last cycle whose crossing into due was announced, so it is announced exactly once.
    due_cycle             INT NOT NULL DEFAULT 1,
    notified_cycle        INT,
    notified_at           TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (interval_months IS NOT NULL OR interval_distance IS NOT NULL)
);
CREATE INDEX maintenance_schedules_vehicle ON maintenance_schedules (user_id, vehicle_id);
-- The periodic sweep looks for schedules not yet announced whose due date has come.
CREATE INDEX maintenance_schedules_unannounced ON maintenance_schedules (next_due_date)
    WHERE notified_cycle IS DISTINCT FROM due_cycle;
