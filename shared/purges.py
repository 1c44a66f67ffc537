"""Account deletion as every consuming service honours it (the platform's part, no business rule).

A service's `purge_user` removes the user's rows and calls `record_purge()` in the same
transaction. Events are not ordered across producers: one that another service committed before
it purged the user (a `vehicle.updated` raised by a fill-up made just before the deletion) can
arrive after this service's purge and would bring a row back. `ignoring_purged_users()` wraps a
service's handlers so that an event about a purged user that occurred before the purge is
dropped; events that occur later (the user signed in again and created data) are handled.

Times compare the producer's clock (the event's `occurredAt`) with this database's; hosts are
expected to keep NTP time, and a skew only matters within that margin of a purge.
"""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

from .events import Event
from .events.batch import batch_in_progress, for_batch_users
from .events.consumer import EventHandler

log = logging.getLogger("motovault.purges")

DELETION_REQUESTED = "account.deletion_requested.v1"


PURGE_TIMES = "purges.purge_times"  # in a batch's memo: user id -> when purged here, or None


async def record_purge(conn: asyncpg.Connection, user_id: str) -> None:
    """Inside the purge's transaction: from now on, earlier events about the user are stale."""
    purged_at = await conn.fetchval(
        """INSERT INTO user_purges (user_id) VALUES ($1)
           ON CONFLICT (user_id) DO UPDATE SET purged_at = GREATEST(user_purges.purged_at, EXCLUDED.purged_at)
           RETURNING purged_at""",
        user_id,
    )
    batch = batch_in_progress()
    if batch is not None and PURGE_TIMES in batch.memo:
        batch.memo[PURGE_TIMES][user_id] = purged_at  # later events of this batch see it


async def purged_after(conn: asyncpg.Connection, user_id: str | None, occurred_at: datetime) -> bool:
    """Whether the user was purged here after the moment the event occurred."""
    if not user_id:
        return False
    async def purge_times(users: list[str]) -> dict[str, datetime | None]:
        rows = await conn.fetch("SELECT user_id, purged_at FROM user_purges WHERE user_id = ANY($1::text[])", users)
        return dict.fromkeys(users) | {row["user_id"]: row["purged_at"] for row in rows}

    purged_at = await for_batch_users(PURGE_TIMES, user_id, purge_times)
    return purged_at is not None and purged_at >= occurred_at


def ignoring_purged_users(handlers: dict[str, EventHandler]) -> dict[str, EventHandler]:
    """The handlers, each first dropping an event about a user purged since it occurred (the
    deletion request itself always runs: a later deletion purges again)."""

    def guarded(routing_key: str, handler: EventHandler) -> EventHandler:
        if routing_key == DELETION_REQUESTED:
            return handler

        async def unless_purged(conn: asyncpg.Connection, event: Event) -> None:
            if await purged_after(conn, event.user_id, event.occurred_at):
                log.info("Ignoring %s %s: it occurred before its user's account was deleted", routing_key, event.id)
                return
            await handler(conn, event)

        return unless_purged

    return {key: guarded(key, handler) for key, handler in handlers.items()}
