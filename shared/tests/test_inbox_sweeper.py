"""The inbox forgets handled events after the retention, and only then: a redelivery within it is
still recognised, one after it would not be."""

import asyncio
import uuid

import asyncpg
from prometheus_client import CollectorRegistry

from shared.db import migrate
from shared.events import new_event
from shared.events.inbox_sweeper import InboxSweeper
from shared.testing.waiting import eventually, until_ready

from .probe import MIGRATIONS as PROBE_MIGRATIONS
from .probe import create_probe_app
from .test_outbox import effects

RETENTION_HOURS = 168


async def handled(conn: asyncpg.Connection, count: int, hours_ago: float) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    await conn.executemany(
        "INSERT INTO inbox (event_id, event_type, processed_at)"
        " VALUES ($1, 'thing.created', now() - $2::float8 * interval '1 hour')",
        [(event_id, hours_ago) for event_id in ids])
    return ids


async def test_events_handled_before_the_retention_are_forgotten_in_chunks_and_later_ones_kept(infra):
    dsn = await infra.create_database("inbox-sweep")
    await migrate(dsn, PROBE_MIGRATIONS)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await handled(conn, 12, hours_ago=RETENTION_HOURS + 1)
            kept = await handled(conn, 3, hours_ago=RETENTION_HOURS - 1)
        registry = CollectorRegistry()
        sweeper = InboxSweeper(pool, registry=registry, retention_hours=RETENTION_HOURS, chunk=5)
        await sweeper.run_round()  # chunks of 5, 5 and 2 in one round
        assert {r["event_id"] for r in await pool.fetch("SELECT event_id FROM inbox")} == set(kept)
        assert registry.get_sample_value("inbox_forgotten_total") == 12
        await sweeper.run_round()
        assert await pool.fetchval("SELECT count(*) FROM inbox") == 3
    finally:
        await pool.close()


async def test_a_service_forgets_old_events_when_it_starts_and_still_dedupes_recent_ones(probe_settings, serve, publish):
    settings = await probe_settings(inbox_retention_hours=RETENTION_HOURS)
    first = await serve(create_probe_app(settings))
    await until_ready(first)
    old = new_event("thing.created", {"name": "old"}, producer="test", user_id="u1")
    recent = new_event("thing.created", {"name": "recent"}, producer="test", user_id="u1")
    for event in (old, recent):
        await publish(settings.events_exchange, event)

    async def both_handled() -> bool:
        return sorted(await effects(settings)) == ["old", "recent"]

    await eventually(both_handled)
    await first.close()
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("UPDATE inbox SET processed_at = now() - $1::float8 * interval '1 hour' WHERE event_id = $2",
                           RETENTION_HOURS + 1, old.id)
        second = await serve(create_probe_app(settings))
        await until_ready(second)

        async def old_forgotten() -> bool:
            return await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", old.id) == 0

        await eventually(old_forgotten)  # the sweeper's first round runs at start
        await publish(settings.events_exchange, recent)  # redelivered within the retention
        marker = new_event("thing.created", {"name": "marker"}, producer="test", user_id="u1")
        await publish(settings.events_exchange, marker)  # handled after the duplicate: then it was seen

        async def marker_handled() -> bool:
            return "marker" in await effects(settings)

        await eventually(marker_handled)
        await asyncio.sleep(0.2)
        assert sorted(await effects(settings)) == ["marker", "old", "recent"]
        assert await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", recent.id) == 1
    finally:
        await conn.close()
