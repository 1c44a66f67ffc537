-- Stations a user has come across: in a search (provider data, refreshed at every search), by
-- saving one, or in a fill-up (place id only). A search answers from these rows, by distance,
-- when the provider cannot answer. Coordinates stay NULL for a station seen only in fill-ups.
CREATE TABLE known_stations (
    user_id         TEXT NOT NULL,
    place_id        TEXT NOT NULL,
    name            TEXT,
    address         TEXT,
    latitude        DOUBLE PRECISION CHECK (latitude BETWEEN -90 AND 90),
    longitude       DOUBLE PRECISION CHECK (longitude BETWEEN -180 AND 180),
    rating          DOUBLE PRECISION,
    photo_reference TEXT,
    -- The provider's terms: a photo is shown with its authors' names.
    photo_attributions JSONB NOT NULL DEFAULT '[]',
    types           TEXT[] NOT NULL DEFAULT '{}',
    first_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, place_id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- The fallback search narrows by a latitude band before computing distances.
CREATE INDEX known_stations_user_latitude ON known_stations (user_id, latitude) WHERE latitude IS NOT NULL;

CREATE TABLE saved_stations (
    user_id     TEXT NOT NULL,
    place_id    TEXT NOT NULL,
    nickname    TEXT,
    notes       TEXT,
    is_favorite BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, place_id),
    FOREIGN KEY (user_id, place_id) REFERENCES known_stations (user_id, place_id)
);

-- One row per fill-up: the price it paid at a station. The latest price per station, fuel type
-- and grade is read from these rows, so an update that moves a fill-up, a delete, or events
-- arriving out of order never leave a stale summary behind. `event_occurred_at` orders the
-- events of one fill-up; `deleted` is a tombstone so a late `created` cannot bring it back.
CREATE TABLE observed_prices (
    user_id           TEXT NOT NULL,
    fuel_log_id       UUID NOT NULL,
    place_id          TEXT,
    fuel_type         TEXT,
    fuel_grade        TEXT,
    cost_per_unit     NUMERIC CHECK (cost_per_unit >= 0),
    seen_at           TIMESTAMPTZ,
    deleted           BOOLEAN NOT NULL DEFAULT false,
    event_occurred_at TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, fuel_log_id)
);
CREATE INDEX observed_prices_latest ON observed_prices (user_id, place_id, fuel_type, fuel_grade, seen_at DESC)
    WHERE NOT deleted AND place_id IS NOT NULL AND cost_per_unit IS NOT NULL;
