-- The odometer log: every reading of a vehicle and where it came from. vehicles.odometer_reading is
-- derived from it (the latest-dated live reading; on the same date the higher one).
CREATE TABLE odometer_readings (
    id             UUID PRIMARY KEY,
    user_id        TEXT NOT NULL,
    vehicle_id     UUID NOT NULL REFERENCES vehicles (id),
    -- Whole miles, as vehicles.odometer_reading. NULL: the source (a trip-distance fill-up) has no
    -- reading; its row is kept for its version so a late older event cannot add one.
    reading        INT CHECK (reading >= 0),
    read_on        DATE NOT NULL,          -- the date that orders the log (UTC date of a fill-up's time)
    read_at        TIMESTAMPTZ,            -- the source's time of day, when it has one (a fill-up)
    source         VARCHAR(20) NOT NULL
                   CHECK (source IN ('fill_up', 'maintenance_record', 'manual', 'import', 'initial')),
    -- What source_id names (a fill-up or a maintenance record; `import` readings have either).
    source_kind    VARCHAR(20) CHECK (source_kind IN ('fill_up', 'maintenance_record')),
    source_id      UUID,
    -- occurredAt of the source's event applied last: an older event never overwrites a newer one.
    source_version TIMESTAMPTZ,
    -- The source was deleted: the row stays as a tombstone so a late created/updated adds nothing.
    removed_at     TIMESTAMPTZ,
    note           VARCHAR(500),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((source_kind IS NULL) = (source_id IS NULL))
);
-- One row per source: redelivered and reordered events find theirs.
CREATE UNIQUE INDEX odometer_readings_by_source ON odometer_readings (user_id, source_kind, source_id)
    WHERE source_id IS NOT NULL;
-- The log of a vehicle in its order; the current odometer is its first row.
CREATE INDEX odometer_readings_log ON odometer_readings (vehicle_id, read_on DESC, reading DESC)
    WHERE reading IS NOT NULL AND removed_at IS NULL;

-- Existing vehicles: their current odometer becomes an `initial` reading dated when the vehicle last
-- changed, so their odometer stays what it is. Zero says nothing (no reading yet): not seeded.
INSERT INTO odometer_readings (id, user_id, vehicle_id, reading, read_on, read_at, source)
SELECT gen_random_uuid(), user_id, id, odometer_reading, (updated_at AT TIME ZONE 'UTC')::date, updated_at, 'initial'
FROM vehicles
WHERE deleted_at IS NULL AND odometer_reading > 0;
