-- Stored files to remove, written in the same transaction as the rows that referenced them.
-- A sweeper deletes them from object storage, so a storage outage delays deletion, never skips it.
CREATE TABLE storage_deletions (
    key         TEXT PRIMARY KEY,
    enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
