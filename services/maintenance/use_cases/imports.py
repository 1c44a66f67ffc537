"""Importing service records into a vehicle (a dry run that reports, or all new records or none)
and exporting a vehicle's records as CSV."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.cache import Cache
from shared.events import enqueue
from shared.imports import ImportPlan, InvalidRows
from shared.transactions import Database, connection, transaction

from .. import events, repository
from ..domain.imports import ImportQuery, plan_import
from .common import invalidate_upcoming, require_vehicle, today
from .due import announce_due
from .records import advance_schedules


async def import_records(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, text: str, query: ImportQuery, max_rows: int
) -> dict[str, Any]:
    """The import report. A real run stores the records not imported before in one transaction:
    oldest first each completes the schedules whose work it did, as if recorded one by one, and
    is announced with `imported: true`; a bad row raises InvalidRows and stores nothing."""
    plan = plan_import(text, vehicle_id, query, max_rows)
    if query.dry_run:
        async with connection(db) as conn:
            await require_vehicle(conn, user_id, vehicle_id)
            known = await repository.imported_record_keys(conn, user_id, [r["import_key"] for r in plan.to_store])
        return report(plan, dry_run=True, imported=len({r["import_key"] for r in plan.to_store} - known))
    if plan.problems:
        raise InvalidRows(plan.problems)
    async with transaction(db) as conn:
        await require_vehicle(conn, user_id, vehicle_id)
        inserted = await repository.insert_imported_records(conn, user_id, vehicle_id, plan.to_store)
        inserted = sorted(inserted, key=_work_order)
        if inserted and await repository.list_schedules(conn, user_id, vehicle_id):
            for row in inserted:  # no schedules (the usual first import): no query per record
                await advance_schedules(conn, row)
        if inserted:
            await enqueue(conn, *(events.record_created(row, imported=True) for row in inserted))
            await announce_due(conn, user_id, vehicle_id, today())
            invalidate_upcoming(cache, user_id, vehicle_id)
    return report(plan, dry_run=False, imported=len(inserted)) | {"recordIds": [str(r["id"]) for r in inserted]}


def _work_order(row: asyncpg.Record) -> tuple:
    return (row["date"], row["odometer_reading"] is not None, row["odometer_reading"] or 0, row["id"])


def report(plan: ImportPlan, *, dry_run: bool, imported: int) -> dict[str, Any]:
    units = {"distance": "km" if plan.units.value == "metric" else "mi"}
    return plan.report(kind="serviceRecords", units=units, dry_run=dry_run, imported=imported)
