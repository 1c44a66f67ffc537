"""PostgreSQL through an asyncpg pool, and forward-only SQL migrations applied at start.

Migrations are files `NNN_name.sql` in a folder; each runs in its own transaction and is
recorded in `schema_migrations`. The platform's own tables (outbox, inbox) come first, from
`shared/migrations`. A session-level advisory lock makes concurrent starts of several instances
apply each migration exactly once: the second instance waits, then finds nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
from aiohttp import web

from .http.app import add_readiness_check
from .outage import DATABASE_OUTAGE, OutageLog
from .settings import BackedServiceSettings

log = logging.getLogger("motovault.db")

PLATFORM_MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed 64-bit number; it only has to be the same for every instance of a service.
MIGRATION_LOCK_ID = 7_304_112_019
POOL = web.AppKey("db_pool", asyncpg.Pool)


async def ensure_database(dsn: str) -> None:
    """Create the DSN's database if it is missing (local runs; production provisions it)."""
    url = urlsplit(dsn)
    name = unquote(url.path.lstrip("/"))
    admin = await asyncpg.connect(urlunsplit(url._replace(path="/postgres")))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
                log.info("Created database %s", name)
            except asyncpg.DuplicateDatabaseError:
                pass  # another instance won the race
    finally:
        await admin.close()


def migration_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.sql") if p.name[:3].isdigit())


async def apply_migrations(conn: asyncpg.Connection, folders: dict[str, Path]) -> list[str]:
    """Apply pending migrations of each named folder in order; return the ones applied."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version TEXT PRIMARY KEY,
                   applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for scope, folder in folders.items():
            for path in migration_files(folder):
                version = f"{scope}:{path.stem}"
                if version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text())
                    await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
                applied_now.append(version)
                log.info("Applied migration %s", version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


async def migrate(dsn: str, service_migrations: Path) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return await apply_migrations(conn, {"platform": PLATFORM_MIGRATIONS, "service": service_migrations})
    finally:
        await conn.close()


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL).

    Pooled connections never carry session state here: LISTEN and the migration lock use
    connections of their own, and nothing SETs a session setting. asyncpg still rolls back a
    transaction left open. Skipping the query saves one round trip per acquire.
    """


async def open_pool(dsn: str, *, min_size: int, max_size: int,
                    outage: OutageLog | None = None) -> asyncpg.Pool:
    async def connected(_conn: asyncpg.Connection) -> None:
        # A new connection after an outage means the database is back: the pool reconnects on use.
        if outage is not None:
            outage.succeeded()

    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, command_timeout=30,
                                     reset=_keep_session, init=connected)


def add_database(app: web.Application, settings: BackedServiceSettings, migrations: Path) -> None:
    async def database_context(app: web.Application) -> AsyncIterator[None]:
        if settings.create_database:
            await ensure_database(settings.database_url)
        await migrate(settings.database_url, migrations)
        outage = app[DATABASE_OUTAGE] = OutageLog("PostgreSQL", log)
        pool = await open_pool(settings.database_url, min_size=settings.db_pool_min,
                               max_size=settings.db_pool_max, outage=outage)
        app[POOL] = pool
        yield
        try:
            # close() waits for every borrowed connection; one never returned must not hang shutdown.
            await asyncio.wait_for(pool.close(), settings.shutdown_timeout)
        except TimeoutError:
            log.warning("Database pool did not close in %ss; terminating it", settings.shutdown_timeout)
            pool.terminate()

    app.cleanup_ctx.append(database_context)
    add_readiness_check(app, "database", lambda: app[POOL].fetchval("SELECT 1"))
