-- Events leave a service only through this table: a business change and its outbox row commit
-- together, and the relay publishes rows with publisher confirms, then deletes them.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    event_id        UUID NOT NULL UNIQUE,
    routing_key     TEXT NOT NULL,
    body            BYTEA NOT NULL,
    request_id      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT
);
-- The relay claims the oldest due rows first.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id);

-- Wakes the relay as soon as an outbox row commits (NOTIFY is delivered on commit only).
-- The relay also polls, so a lost notification only delays an event.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Events this service has already handled: inserted in the same transaction as the handler's
-- effects, so a redelivered event is recognised and acknowledged without a second effect.
CREATE TABLE inbox (
    event_id     UUID PRIMARY KEY,
    event_type   TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
