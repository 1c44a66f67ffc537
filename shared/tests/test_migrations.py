"""Migrations: forward-only, idempotent, safe when several instances start at once."""

import asyncio

import asyncpg

from shared.db import migrate

from .probe import MIGRATIONS


async def schema(dsn: str) -> list[tuple]:
    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(r) for r in await conn.fetch(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
               WHERE table_schema = 'public' ORDER BY 1, 2""")]
    finally:
        await conn.close()


async def test_applying_migrations_twice_changes_nothing(infra):
    dsn = await infra.create_database("migrate_twice")
    first = await migrate(dsn, MIGRATIONS)
    assert "platform:001_outbox_inbox" in first and "service:001_probe" in first
    before = await schema(dsn)
    assert await migrate(dsn, MIGRATIONS) == []
    assert await schema(dsn) == before


async def test_concurrent_starts_apply_each_migration_once(infra):
    dsn = await infra.create_database("migrate_race")
    results = await asyncio.gather(*(migrate(dsn, MIGRATIONS) for _ in range(4)))
    applied = [version for result in results for version in result]
    assert sorted(applied) == sorted(set(applied))  # nobody applied anything twice
    assert len([r for r in results if r]) == 1  # one instance did the work, the others found it done
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(applied)
    finally:
        await conn.close()


async def test_failed_migration_leaves_nothing_half_applied(infra, tmp_path):
    dsn = await infra.create_database("migrate_broken")
    (tmp_path / "001_good.sql").write_text("CREATE TABLE good (id INT);")
    (tmp_path / "002_bad.sql").write_text("CREATE TABLE half (id INT); SELECT no_such_function();")
    try:
        await migrate(dsn, tmp_path)
    except asyncpg.PostgresError:
        pass
    else:
        raise AssertionError("a broken migration must fail")
    tables = {row[0] for row in await schema(dsn)}
    assert "good" in tables and "half" not in tables
