"""The vehicle projection: learnt and forgotten from vehicle events."""

from __future__ import annotations

import logging
import uuid

from shared.cache import Cache
from shared.events import enqueue
from shared.storage import schedule_deletion
from shared.transactions import Database, transaction

from .. import events, repository
from ..cache_keys import list_cache_keys

log = logging.getLogger("motovault.fuel_logs.vehicles")


async def record_vehicle(db: Database, vehicle_id: uuid.UUID, user_id: str, odometer: int, fuel_type: str | None) -> None:
    """A vehicle created or updated: the projection learns it (a deleted one stays deleted)."""
    async with transaction(db) as conn:
        await repository.upsert_vehicle(conn, vehicle_id, user_id, odometer, fuel_type)


async def forget_vehicle(db: Database, cache: Cache, vehicle_id: uuid.UUID, user_id: str) -> None:
    """A vehicle deleted: remove its fill-ups and their receipts; a replay finds nothing left to remove."""
    async with transaction(db) as conn:
        removed = await repository.delete_vehicle(conn, vehicle_id, user_id)
        receipts = [row["receipt_key"] for row in removed if row["receipt_key"]]
        if receipts:
            await schedule_deletion(conn, *receipts)
        if removed:
            # Consumers such as stations forget prices that came from these fill-ups.
            await enqueue(conn, *(events.fuel_log_deleted(row) for row in removed))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
    log.info("Vehicle %s deleted: removed %d fuel logs, %d receipts", vehicle_id, len(removed), len(receipts))

