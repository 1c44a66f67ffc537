-- Personal access tokens: only the SHA-256 of the secret is stored, never the token itself.
CREATE TABLE access_tokens (
    id           UUID PRIMARY KEY,
    user_id      TEXT NOT NULL,
    name         VARCHAR(100) NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'read-write')),
    token_hash   BYTEA NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
-- Listing a user's live tokens; the lookup on every request goes through token_hash's unique index.
CREATE INDEX access_tokens_user_live ON access_tokens (user_id, created_at) WHERE revoked_at IS NULL;
