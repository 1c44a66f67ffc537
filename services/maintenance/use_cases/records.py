"""Maintenance records: recording work (which moves the schedules it completes), reading,
correcting and deleting it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.events import enqueue
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import events, repository
from ..domain.catalog import Category
from ..domain.inputs import RecordInput, RecordUpdate
from ..domain.lists import RECORD_ORDER
from ..domain.records import corrected_record, new_record
from ..domain.schedules import completed_by
from ..domain.units import Units
from .common import invalidate_upcoming, require_vehicle, today
from .due import announce_due


async def create_record(db: Database, cache: Cache, user_id: str, record: RecordInput, units: Units) -> asyncpg.Record:
    """Record work done: it completes the schedules whose whole work it did, and may carry any
    schedule of the vehicle across its due point (a higher odometer)."""
    async with transaction(db) as conn:
        await require_vehicle(conn, user_id, record.vehicle_id)
        row = await repository.insert_record(conn, user_id, record.vehicle_id, new_record(record, units))
        await _advance_schedules(conn, row)
        await enqueue(conn, events.record_created(row))
        await announce_due(conn, user_id, record.vehicle_id, today())
        invalidate_upcoming(cache, user_id, record.vehicle_id)
    return row


async def _advance_schedules(conn: asyncpg.Connection, record: Mapping) -> None:
    """Start the next cycle of every schedule whose whole work this record did."""
    user_id, vehicle_id = record["user_id"], record["vehicle_id"]
    schedules = await repository.schedules_completed_by(
        conn, user_id, vehicle_id, record["category"], list(record["subtypes"])
    )
    if not schedules:
        return
    done_at = record["odometer_reading"]
    if done_at is None:  # no reading on the record: the best known one stands in
        done_at = await repository.current_odometer(conn, user_id, vehicle_id)
    for schedule in schedules:
        values = completed_by(schedule, record, done_at)
        if values is not None:
            await repository.update_schedule(conn, user_id, schedule["id"], values)


async def list_records(
    db: Database, user_id: str, vehicle_id: uuid.UUID | None = None, category: Category | None = None,
    page: Page | None = None,
) -> PageOf[asyncpg.Record]:
    """The user's records, newest first, of one vehicle (which must be theirs) or all of them;
    all, or one page."""
    async with connection(db) as conn:
        if vehicle_id is not None:
            await require_vehicle(conn, user_id, vehicle_id)
        rows = await repository.list_records(conn, user_id, vehicle_id, category.value if category else None, page)
    return RECORD_ORDER.trim(rows, page)


async def get_record(db: Database, user_id: str, record_id: uuid.UUID) -> asyncpg.Record:
    async with connection(db) as conn:
        row = await repository.get_record(conn, user_id, record_id)
    if row is None:
        raise NotFoundError("Record not found")
    return row


async def update_record(
    db: Database, cache: Cache, user_id: str, record_id: uuid.UUID, update: RecordUpdate, units: Units
) -> asyncpg.Record:
    """Partial update of the fields sent. Schedules are not rewound or re-advanced by edits: a
    schedule moves when work is recorded, and can be corrected with its own update."""
    async with transaction(db) as conn:
        row = await repository.get_record(conn, user_id, record_id)
        if row is None:
            raise NotFoundError("Record not found")
        updated = await repository.update_record(conn, user_id, record_id, corrected_record(row, update, units))
        # A raised reading can carry a schedule across its due point.
        await announce_due(conn, user_id, row["vehicle_id"], today())
        invalidate_upcoming(cache, user_id, row["vehicle_id"])
    return updated


async def delete_record(db: Database, cache: Cache, user_id: str, record_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        vehicle_id = await repository.delete_record(conn, user_id, record_id)
        if vehicle_id is None:
            raise NotFoundError("Record not found")
        invalidate_upcoming(cache, user_id, vehicle_id)
