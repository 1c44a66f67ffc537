"""Importing another tracker's export (or ours) into a vehicle: a dry run that reports, or a real
run that stores every new fill-up or none."""

from __future__ import annotations

import uuid
from typing import Any

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.events import enqueue
from shared.imports import ImportPlan, InvalidRows
from shared.transactions import Database, transaction

from .. import events, repository
from ..cache_keys import list_cache_keys
from ..domain.fill_ups import vehicle_default_fuel_type
from ..domain.imports import ImportQuery, plan_import
from ..vehicle_wait import ProjectionWatch
from .vehicles import live_vehicle


async def import_fill_ups(
    db: Database, cache: Cache, watch: ProjectionWatch, user_id: str, vehicle_id: uuid.UUID, text: str,
    query: ImportQuery, max_rows: int,
) -> dict[str, Any]:
    """The import report. A dry run writes nothing; a real run with a bad row raises InvalidRows
    (nothing stored), else stores the fill-ups not imported before, each announced with
    `imported: true`, in one transaction."""
    vehicle = await live_vehicle(db, watch, user_id, vehicle_id)
    plan = plan_import(text, vehicle_id, vehicle_default_fuel_type(vehicle["fuel_type"]), query, max_rows)
    if query.dry_run:
        known = await repository.imported_keys(db, user_id, [row["import_key"] for row in plan.to_store])
        new = len({row["import_key"] for row in plan.to_store} - known)
        return report(plan, dry_run=True, imported=new)
    if plan.problems:
        raise InvalidRows(plan.problems)
    async with transaction(db) as conn:
        if await repository.lock_live_vehicle(conn, user_id, vehicle_id) is None:
            raise NotFoundError("Vehicle not found")
        inserted = await repository.insert_imported(conn, user_id, vehicle_id, plan.to_store)
        if inserted:
            await enqueue(conn, *(events.fuel_log_created(row, imported=True) for row in inserted))
            cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
    inserted.sort(key=lambda row: (row["date_time"], row["id"]))
    return report(plan, dry_run=False, imported=len(inserted)) | {"fuelLogIds": [str(r["id"]) for r in inserted]}


def report(plan: ImportPlan, *, dry_run: bool, imported: int) -> dict[str, Any]:
    units = {"distance": plan.units.distance, "volume": plan.units.volume}
    return plan.report(kind="fillUps", units=units, dry_run=dry_run, imported=imported)
