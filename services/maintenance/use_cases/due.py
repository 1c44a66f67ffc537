"""Announcing schedules that crossed into due, exactly once per due cycle.

A schedule's crossing into due (see domain/urgency.py for the boundary) is announced with
`maintenance.schedule_due.v1` exactly once per due cycle: the announcement claims the cycle on the
schedule row (`mark_announced`) in the transaction that enqueues the event. Whatever caused the
crossing (recorded work, an edited schedule, an odometer event, a read after the due date, the
periodic sweep), a second attempt finds the cycle claimed, even when it ran concurrently.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from shared.cache import Cache
from shared.events import enqueue
from shared.transactions import Database, connection, transaction

from .. import events, repository
from ..domain.urgency import Urgency, assess
from .common import invalidate_upcoming


async def announce_due(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, on: date) -> list[uuid.UUID]:
    """Announce every schedule of the vehicle that is due and not yet announced in its cycle.

    A step of the caller's transaction: the claim and the event commit together or not at all.
    """
    pending = await repository.unannounced_schedules(conn, user_id, vehicle_id)
    if not pending:
        return []
    odometer = await repository.current_odometer(conn, user_id, vehicle_id)
    announced = []
    for row in pending:
        assessment = assess(row["next_due_date"], row["next_due_odometer"], on, odometer)
        if assessment.urgency is not Urgency.PAST_DUE:
            continue
        if await repository.mark_announced(conn, user_id, row["id"], row["due_cycle"]):
            await enqueue(conn, events.schedule_due(row, assessment))
            announced.append(row["id"])
    return announced


async def announce_schedules_fallen_due(db: Database, cache: Cache, *, on: date, limit: int) -> int:
    """Announce what fell due by the passage of time alone, up to `limit` vehicles; how many
    schedules were announced. One transaction per vehicle keeps the row locks short."""
    async with connection(db) as conn:
        vehicles = await repository.vehicles_with_unannounced_due_dates(conn, on, limit)
    announced = 0
    for vehicle in vehicles:
        user_id, vehicle_id = vehicle["user_id"], vehicle["vehicle_id"]
        async with transaction(db) as conn:
            ids = await announce_due(conn, user_id, vehicle_id, on)
            if ids:
                invalidate_upcoming(cache, user_id, vehicle_id)
        announced += len(ids)
    return announced
