"""The vehicle projection: learnt and forgotten from vehicle events, asked before touching fill-ups."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Mapping

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.events import enqueue
from shared.storage import schedule_deletion
from shared.transactions import Database, transaction

from .. import events, repository
from ..cache_keys import list_cache_keys
from ..vehicle_wait import ProjectionWatch

log = logging.getLogger("motovault.fuel_logs.vehicles")


async def record_vehicle(db: Database, vehicle_id: uuid.UUID, user_id: str, odometer: int, fuel_type: str | None) -> None:
    """A vehicle created or updated: the projection learns it (a deleted one stays deleted).

    Written at once, not coalesced to the end of a batch: a handler that waits on a vehicle's row
    lock then waits alone, and the consumer moves the events after it to another batch."""
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


async def live_vehicle(db: Database, watch: ProjectionWatch, user_id: str, vehicle_id: uuid.UUID) -> Mapping[str, Any]:
    """The caller's live vehicle from the projection, waiting briefly if it has not arrived yet."""
    vehicle = await repository.vehicle_state(db, vehicle_id)
    if vehicle is None:

        async def learnt() -> bool:
            return await repository.vehicle_state(db, vehicle_id) is not None

        if await watch.wait_for(vehicle_id, learnt):
            vehicle = await repository.vehicle_state(db, vehicle_id)
    if vehicle is None or vehicle["deleted"] or vehicle["user_id"] != user_id:
        raise NotFoundError("Vehicle not found")
    return vehicle
