-- Users whose data this service removed because their account was deleted, and when. Events
-- about a user that occurred before that moment arrive late (another service committed them
-- before its own purge) and are dropped, so they cannot bring back a row of the deleted account.
CREATE TABLE user_purges (
    user_id   TEXT PRIMARY KEY,
    purged_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
