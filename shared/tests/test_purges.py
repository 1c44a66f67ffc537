"""Late events of a deleted account are dropped, also within one consumer batch, where the purge
times of the batch's users are read once (shared/purges.py)."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import asyncpg

from shared.db import migrate
from shared.events import Event, new_event
from shared.events.batch import Batch, Delivery
from shared.purges import DELETION_REQUESTED, ignoring_purged_users, record_purge

PROBE_MIGRATIONS = Path(__file__).parent / "probe_migrations"


async def note(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute("INSERT INTO effects (event_id, name) VALUES ($1, $2)", event.id, event.user_id)


async def purge(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute("DELETE FROM effects WHERE name = $1", event.data["userId"])
    await record_purge(conn, event.data["userId"])


HANDLERS = ignoring_purged_users({"thing.noted.v1": note, DELETION_REQUESTED: purge})


def noted(user: str, minutes_from_now: float) -> Event:
    event = new_event("thing.noted", {}, producer="probe", user_id=user)
    return replace(event, occurred_at=event.occurred_at + timedelta(minutes=minutes_from_now))


async def test_a_batch_drops_its_events_that_occurred_before_their_users_purge(backed_settings):
    dsn = (await backed_settings("probe"))["database_url"]
    await migrate(dsn, PROBE_MIGRATIONS)
    purged_before = await asyncpg.connect(dsn)
    try:  # carol was purged here in the past: her older event is stale, her newer one is not
        async with purged_before.transaction():
            await record_purge(purged_before, "carol")
    finally:
        await purged_before.close()
    deletion = new_event("account.deletion_requested", {"userId": "alice"}, producer="accounts", user_id="alice")
    events = [noted("alice", -1), noted("bob", -1), deletion, noted("alice", -1), noted("carol", -60),
              noted("carol", 1), noted("alice", 1)]
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        await Batch([Delivery(None, event, HANDLERS[event.routing_key]) for event in events]).apply(pool)
        effects = await pool.fetch("SELECT event_id, name FROM effects ORDER BY id")
    finally:
        await pool.close()
    # alice's first event was purged with her data, her second dropped as stale; what occurred
    # after each purge stays.
    assert [(row["event_id"], row["name"]) for row in effects] == [
        (events[1].id, "bob"), (events[5].id, "carol"), (events[6].id, "alice")]
