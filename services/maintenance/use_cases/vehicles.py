"""The vehicles as the vehicles service announces them: a projection of ownership and odometer."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from shared.cache import Cache
from shared.transactions import Database, transaction

from .. import repository
from .common import invalidate_upcoming, today
from .due import announce_due


async def record_vehicle_seen(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, odometer: Decimal, observed_on: date
) -> bool:
    """Keep the vehicle and its odometer reading; False if the vehicle is deleted (nothing kept)."""
    async with transaction(db) as conn:
        if not await repository.upsert_vehicle(conn, vehicle_id, user_id, odometer):
            return False
        if odometer > 0:
            await repository.add_odometer_reading(conn, vehicle_id, user_id, observed_on, odometer)
        # A higher odometer can carry a schedule across its due point: announced in the
        # consumer's transaction, so a redelivered event (inbox) can never announce it twice.
        await announce_due(conn, user_id, vehicle_id, today())
        invalidate_upcoming(cache, user_id, vehicle_id)
    return True


async def forget_vehicle(db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> tuple[int, int]:
    """Tombstone the vehicle and remove its maintenance; the numbers of records and schedules removed."""
    async with transaction(db) as conn:
        removed = await repository.delete_vehicle(conn, vehicle_id, user_id)
        invalidate_upcoming(cache, user_id, vehicle_id)
    return removed
