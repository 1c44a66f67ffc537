-- The relay is woken in-process after a commit that wrote outbox rows (shared/events/outbox.py),
-- and polls for the rest. The NOTIFY trigger goes: a notifying transaction holds PostgreSQL's
-- notify lock from its commit until its WAL is flushed, so such commits could not share an fsync.
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
