CREATE TABLE vehicles (
    id               UUID PRIMARY KEY,
    user_id          TEXT NOT NULL,
    vin              VARCHAR(17),
    year             INT,
    make             VARCHAR(100),
    model            VARCHAR(100),
    engine           VARCHAR(100),
    transmission     VARCHAR(100),
    trim_level       VARCHAR(100),
    drive_type       VARCHAR(50),
    fuel_type        VARCHAR(50),
    nickname         VARCHAR(100),
    color            VARCHAR(50),
    license_plate    VARCHAR(20),
    odometer_reading INT NOT NULL DEFAULT 0 CHECK (odometer_reading >= 0),
    is_active        BOOLEAN NOT NULL DEFAULT true,
    deleted_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (vin IS NOT NULL OR license_plate IS NOT NULL)
);
-- A VIN is unique per user among live vehicles; a deleted vehicle's VIN can be added again.
CREATE UNIQUE INDEX vehicles_user_vin ON vehicles (user_id, vin) WHERE deleted_at IS NULL AND vin IS NOT NULL;
CREATE INDEX vehicles_user_live ON vehicles (user_id, created_at) WHERE deleted_at IS NULL;
