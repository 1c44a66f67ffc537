"""CSV import into a vehicle: all rows or none."""

from __future__ import annotations

import uuid

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.events import enqueue
from shared.transactions import Database, transaction

from .. import events, repository
from ..cache_keys import list_cache_keys
from ..domain.csv_format import rows_to_store
from ..domain.fill_ups import vehicle_default_fuel_type
from ..domain.units import UnitSystem
from ..vehicle_wait import ProjectionWatch
from .vehicles import live_vehicle


async def import_fill_ups(
    db: Database, cache: Cache, watch: ProjectionWatch, user_id: str, vehicle_id: uuid.UUID, text: str,
    system: UnitSystem, max_rows: int,
) -> list[dict]:
    """Every row is checked first; one bad row imports nothing and the error names them all."""
    vehicle = await live_vehicle(db, watch, user_id, vehicle_id)
    to_store = rows_to_store(text, vehicle_id, vehicle_default_fuel_type(vehicle["fuel_type"]), system, max_rows)
    async with transaction(db) as conn:
        if await repository.lock_live_vehicle(conn, user_id, vehicle_id) is None:
            raise NotFoundError("Vehicle not found")
        inserted = [await repository.insert_fuel_log(conn, user_id, vehicle_id, values) for values in to_store]
        await enqueue(conn, *(events.fuel_log_created(row) for row in inserted))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
    return inserted
