"""All SQL of the accounts service."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg


async def start_deletion(conn: asyncpg.Connection, user_id: str, expected: list[str]) -> asyncpg.Record | None:
    """A new pending deletion of the user's account, or None when one is pending already
    (the partial unique index settles two concurrent requests: one inserts, the other waits, then finds it)."""
    return await conn.fetchrow(
        """INSERT INTO deletions (id, user_id, expected) VALUES ($1, $2, $3)
           ON CONFLICT (user_id) WHERE completed_at IS NULL DO NOTHING
           RETURNING *""",
        uuid.uuid4(), user_id, expected,
    )


async def pending_deletion(conn: asyncpg.Connection, user_id: str, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT * FROM deletions WHERE user_id = $1 AND completed_at IS NULL{lock}", user_id)


async def latest_deletion(conn: asyncpg.Connection, user_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM deletions WHERE user_id = $1 ORDER BY requested_at DESC, id LIMIT 1", user_id
    )


async def lock_deletion(conn: asyncpg.Connection, user_id: str, deletion_id: uuid.UUID) -> asyncpg.Record | None:
    """The user's deletion, locked: confirmations of one deletion are counted one at a time."""
    return await conn.fetchrow(
        "SELECT * FROM deletions WHERE id = $1 AND user_id = $2 FOR UPDATE", deletion_id, user_id
    )


async def confirm(conn: asyncpg.Connection, deletion_id: uuid.UUID, service: str) -> None:
    # A second confirmation (a repeated event) keeps the first one's time.
    await conn.execute(
        """INSERT INTO deletion_confirmations (deletion_id, service) VALUES ($1, $2)
           ON CONFLICT (deletion_id, service) DO NOTHING""",
        deletion_id, service,
    )


async def confirmations(conn: asyncpg.Connection, deletion_id: uuid.UUID) -> dict[str, datetime]:
    rows = await conn.fetch(
        "SELECT service, confirmed_at FROM deletion_confirmations WHERE deletion_id = $1", deletion_id
    )
    return {row["service"]: row["confirmed_at"] for row in rows}


async def complete(conn: asyncpg.Connection, deletion_id: uuid.UUID) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE deletions SET completed_at = now() WHERE id = $1 AND completed_at IS NULL RETURNING *", deletion_id
    )
