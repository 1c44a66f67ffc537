"""What the maintenance use cases share: the calendar day, the vehicle check, the stale views."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg

from shared.cache import Cache
from shared.errors import NotFoundError

from .. import repository
from ..cache_keys import upcoming_cache_keys


def today() -> date:
    """Calendar days are UTC days: a schedule due on a date is due from 00:00 UTC that day."""
    return datetime.now(UTC).date()


async def require_vehicle(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID) -> None:
    if not await repository.owns_live_vehicle(conn, user_id, vehicle_id):
        raise NotFoundError("Vehicle not found")


def invalidate_upcoming(cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> None:
    """Inside the transaction of any change of the user's maintenance data: once it commits, drop
    the vehicle's upcoming views and the edge's answers."""
    cache.invalidate_after_commit(user_id, *upcoming_cache_keys(user_id, vehicle_id, today()))
