-- What notifications knows of vehicles and their documents, learned from vehicle events. A deleted
-- vehicle stays as a tombstone so a late `created` cannot bring it back.
CREATE TABLE vehicle_projection (
    vehicle_id UUID PRIMARY KEY,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    document_id UUID PRIMARY KEY,
    user_id     TEXT NOT NULL,
    vehicle_id  UUID NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    expires_on  DATE
);
CREATE INDEX documents_by_expiry ON documents (expires_on) WHERE expires_on IS NOT NULL;
CREATE INDEX documents_by_vehicle ON documents (vehicle_id);

-- One reminder per document, expiry date and lead time, whatever the number of sweeps.
CREATE TABLE document_reminders (
    document_id UUID NOT NULL,
    expires_on  DATE NOT NULL,
    lead_days   INTEGER NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, expires_on, lead_days)
);

-- Maintenance that fell due (maintenance.schedule_due.v1): the latest crossing per schedule, for
-- the calendar feed.
CREATE TABLE due_maintenance (
    schedule_id  UUID PRIMARY KEY,
    user_id      TEXT NOT NULL,
    vehicle_id   UUID NOT NULL,
    category     TEXT NOT NULL,
    subtypes     TEXT[] NOT NULL,
    due_date     DATE,
    due_odometer NUMERIC(14, 1),
    urgency      TEXT NOT NULL,
    announced_on DATE NOT NULL
);
CREATE INDEX due_maintenance_by_user ON due_maintenance (user_id);

CREATE TABLE preferences (
    user_id              TEXT PRIMARY KEY,
    lead_days            INTEGER NOT NULL DEFAULT 14 CHECK (lead_days BETWEEN 0 AND 365),
    quiet_start          TIME,
    quiet_end            TIME,
    timezone             TEXT NOT NULL DEFAULT 'UTC',
    -- SHA-256 of the calendar feed's secret token: the token itself is shown once, never stored.
    calendar_token_hash  TEXT UNIQUE,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Where a user's notifications go (email, ntfy, webhook) and the outbound webhook subscriptions
-- (kind 'subscription', with the event types they receive). `secret` (ntfy access token, webhook
-- signing secret) is never part of an answer or a log line.
CREATE TABLE channels (
    id           UUID PRIMARY KEY,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'ntfy', 'webhook', 'subscription')),
    name         TEXT NOT NULL,
    target       TEXT NOT NULL,
    secret       TEXT,
    event_types  TEXT[] NOT NULL DEFAULT '{}',
    enabled      BOOLEAN NOT NULL DEFAULT true,
    failures     INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX channels_by_user ON channels (user_id, created_at);

-- One row per notification x channel; `delivery_key` makes a duplicate or redelivered cause a
-- no-op. The worker claims due rows with FOR UPDATE SKIP LOCKED and leases them by moving
-- `next_attempt_at`, so a crashed sender's row comes back.
CREATE TABLE deliveries (
    id              UUID PRIMARY KEY,
    user_id         TEXT NOT NULL,
    channel_id      UUID NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    delivery_key    TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload         JSONB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'retrying', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX deliveries_by_user ON deliveries (user_id, created_at DESC);
