-- One row per deletion of an account. At most one pending (not completed) per user; after one
-- completes, a new request starts a new deletion (the user may have created data again).
CREATE TABLE deletions (
    id           UUID PRIMARY KEY,
    user_id      TEXT NOT NULL,
    -- The services that must confirm, fixed when the deletion starts (ACCOUNTS_SERVICES then).
    expected     TEXT[] NOT NULL CHECK (cardinality(expected) >= 1),
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX deletions_one_pending ON deletions (user_id) WHERE completed_at IS NULL;
CREATE INDEX deletions_latest ON deletions (user_id, requested_at DESC);

-- A service's account.purged.v1: it has removed everything of the user it held.
CREATE TABLE deletion_confirmations (
    deletion_id  UUID NOT NULL REFERENCES deletions (id),
    service      TEXT NOT NULL,
    confirmed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (deletion_id, service)
);
