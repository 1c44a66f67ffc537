CREATE TABLE things (id UUID PRIMARY KEY, name TEXT NOT NULL);
-- One row per effect a consumed event had: duplicates would show as extra rows.
CREATE TABLE effects (id BIGSERIAL PRIMARY KEY, event_id UUID NOT NULL, name TEXT NOT NULL);
CREATE TABLE failures_left (name TEXT PRIMARY KEY, remaining INT NOT NULL);
