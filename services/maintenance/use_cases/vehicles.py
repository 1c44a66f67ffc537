"""The vehicles as the vehicles service announces them: a projection of ownership and odometer."""

from __future__ import annotations

import logging
import operator
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg

from shared.cache import Cache
from shared.purges import purged_after
from shared.transactions import Database, coalesce, transaction

from .. import repository
from .common import invalidate_upcoming, today
from .due import announce_due

log = logging.getLogger("motovault.maintenance.vehicles")


async def record_vehicle_seen(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, odometer: Decimal, observed_on: date,
    occurred_at: datetime | None = None,
) -> None:
    """Keep the vehicle and its odometer reading (nothing for a deleted vehicle). The readings of one
    vehicle in one transaction (a batch of events) are kept together at its end: one projection
    write (the newest event's odometer: vehicles derives it from its log, which can lower it), the
    readings for the driving rate (none above the odometer: a lowered one shows them wrong), one look
    for schedules fallen due. `occurred_at` is when the
    reading's event occurred: if the user's account was purged since, even later in the same batch,
    nothing is kept."""
    seen_at = occurred_at or datetime.now(UTC)

    async def keep(conn: asyncpg.Connection, readings: tuple[tuple[date, Decimal, datetime], ...]) -> None:
        if await purged_after(conn, user_id, max(at for _, _, at in readings)):
            log.info("Ignoring readings of vehicle %s: its user's account was deleted since", vehicle_id)
            return
        _, newest, newest_at = max(readings, key=lambda reading: reading[2])
        if not await repository.upsert_vehicle(conn, vehicle_id, user_id, newest, newest_at):
            log.info("Ignoring readings of deleted vehicle %s", vehicle_id)
            return
        for day, reading, _ in readings:
            if 0 < reading <= newest:
                await repository.add_odometer_reading(conn, vehicle_id, user_id, day, reading)
        await repository.forget_readings_above(conn, vehicle_id, user_id, await repository.current_odometer(
            conn, user_id, vehicle_id))
        # A higher odometer can carry a schedule across its due point: announced in the
        # consumer's transaction, so a redelivered event (inbox) can never announce it twice.
        await announce_due(conn, user_id, vehicle_id, today())
        invalidate_upcoming(cache, user_id, vehicle_id)

    async with transaction(db):
        coalesce(("vehicle_projection", user_id, vehicle_id), ((observed_on, odometer, seen_at),), operator.add, keep)


async def forget_vehicle(db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> tuple[int, int]:
    """Tombstone the vehicle and remove its maintenance; the numbers of records and schedules removed."""
    async with transaction(db) as conn:
        removed = await repository.delete_vehicle(conn, vehicle_id, user_id)
        invalidate_upcoming(cache, user_id, vehicle_id)
    return removed
