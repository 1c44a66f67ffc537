"""Maintenance records: recording work (which moves the schedules it completes), reading,
correcting and deleting it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg

from shared.cache import Cache
from shared.errors import ConflictError, NotFoundError
from shared.events import enqueue
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import events, repository
from ..domain.catalog import Category
from ..domain.inputs import RecordInput, RecordUpdate
from ..domain.lists import RECORD_ORDER
from ..domain.odometer_check import conflict_details, odometer_conflict
from ..domain.records import corrected_record, new_record
from ..domain.schedules import completed_by
from ..domain.units import Units
from .common import invalidate_upcoming, require_vehicle, today
from .due import announce_due


async def _check_odometer(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, record_id: uuid.UUID, values: Mapping,
    max_daily_distance: int | None, units: Units,
) -> None:
    """Refuse (409, with the record in the way) a reading that contradicts the vehicle's other
    records; `max_daily_distance` None: the caller confirmed it, nothing is read."""
    if max_daily_distance is None or values["odometer_reading"] is None:
        return
    previous, following = await repository.record_odometer_neighbours(
        conn, user_id, vehicle_id, values["date"], record_id)
    conflict = odometer_conflict(values["odometer_reading"], values["date"], previous, following, max_daily_distance)
    if conflict is not None:
        message, details = conflict_details(conflict, max_daily_distance, units)
        raise ConflictError(message, details=details)


async def create_record(
    db: Database, cache: Cache, user_id: str, record: RecordInput, units: Units, *, max_daily_distance: int | None
) -> asyncpg.Record:
    """Record work done: it completes the schedules whose whole work it did, and may carry any
    schedule of the vehicle across its due point (a higher odometer). A reading that contradicts
    the vehicle's other records is refused unless the body confirms it (`confirmOdometer`)."""
    async with transaction(db) as conn:
        await require_vehicle(conn, user_id, record.vehicle_id)
        values = new_record(record, units)
        await _check_odometer(conn, user_id, record.vehicle_id, uuid.UUID(int=0), values,
                              None if record.confirm_odometer else max_daily_distance, units)
        row = await repository.insert_record(conn, user_id, record.vehicle_id, values)
        await advance_schedules(conn, row)
        await enqueue(conn, events.record_created(row))
        await announce_due(conn, user_id, record.vehicle_id, today())
        invalidate_upcoming(cache, user_id, record.vehicle_id)
    return row


async def advance_schedules(conn: asyncpg.Connection, record: Mapping) -> None:
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
            moved = await repository.update_schedule(conn, user_id, schedule["id"], values)
            await enqueue(conn, events.schedule_changed(moved))


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
    db: Database, cache: Cache, user_id: str, record_id: uuid.UUID, update: RecordUpdate, units: Units,
    *, max_daily_distance: int | None,
) -> asyncpg.Record:
    """Partial update of the fields sent. Schedules are not rewound or re-advanced by edits: a
    schedule moves when work is recorded, and can be corrected with its own update. A changed
    reading or date is checked like a new record's (`confirmOdometer` skips it); other edits are not."""
    async with transaction(db) as conn:
        row = await repository.get_record(conn, user_id, record_id)
        if row is None:
            raise NotFoundError("Record not found")
        values = corrected_record(row, update, units)
        if (values["odometer_reading"], values["date"]) != (row["odometer_reading"], row["date"]):
            await _check_odometer(conn, user_id, row["vehicle_id"], record_id, values,
                                  None if update.confirm_odometer else max_daily_distance, units)
        updated = await repository.update_record(conn, user_id, record_id, values)
        await enqueue(conn, events.record_updated(updated))
        # A raised reading can carry a schedule across its due point.
        await announce_due(conn, user_id, row["vehicle_id"], today())
        invalidate_upcoming(cache, user_id, row["vehicle_id"])
    return updated


async def delete_record(db: Database, cache: Cache, user_id: str, record_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        deleted = await repository.delete_record(conn, user_id, record_id)
        if deleted is None:
            raise NotFoundError("Record not found")
        await enqueue(conn, events.record_deleted(deleted))
        invalidate_upcoming(cache, user_id, deleted["vehicle_id"])
