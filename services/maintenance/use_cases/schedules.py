"""Maintenance schedules: setting one up from its last service, reading, correcting, deleting."""

from __future__ import annotations

import uuid

import asyncpg

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.events import enqueue
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import events, repository
from ..domain.inputs import ScheduleInput, ScheduleUpdate
from ..domain.lists import SCHEDULE_ORDER
from ..domain.recurrence import start_cycle
from ..domain.schedules import corrected, new_schedule
from ..domain.units import Units, to_miles
from .common import invalidate_upcoming, require_vehicle, today
from .due import announce_due


async def create_schedule(
    db: Database, cache: Cache, user_id: str, body: ScheduleInput, units: Units
) -> asyncpg.Record:
    """A new schedule, based on the last service given, else the latest record that did the work,
    else today and the vehicle's current odometer. It may be due at once (announced then)."""
    last_date, last_odometer = body.last_service_date, to_miles(body.last_service_odometer, units)
    last_record_id = None
    async with transaction(db) as conn:
        await require_vehicle(conn, user_id, body.vehicle_id)
        if last_date is None and last_odometer is None:
            latest = await repository.latest_covering_record(
                conn, user_id, body.vehicle_id, body.category.value, body.subtypes
            )
            if latest is not None:
                last_date, last_odometer, last_record_id = latest["date"], latest["odometer_reading"], latest["id"]
        if last_odometer is None:
            base_odometer = await repository.current_odometer(conn, user_id, body.vehicle_id)
        else:
            base_odometer = last_odometer
        values = new_schedule(
            body, units, start_cycle(last_date or today(), base_odometer),
            last_service_date=last_date, last_service_odometer=last_odometer, last_record_id=last_record_id,
        )
        row = await repository.insert_schedule(conn, user_id, body.vehicle_id, values)
        await enqueue(conn, events.schedule_changed(row))
        if await announce_due(conn, user_id, body.vehicle_id, today()):
            row = await repository.get_schedule(conn, user_id, row["id"])
        invalidate_upcoming(cache, user_id, body.vehicle_id)
    return row


async def list_vehicle_schedules(
    db: Database, user_id: str, vehicle_id: uuid.UUID, page: Page | None = None
) -> PageOf[asyncpg.Record]:
    async with connection(db) as conn:
        await require_vehicle(conn, user_id, vehicle_id)
        return SCHEDULE_ORDER.trim(await repository.list_schedules(conn, user_id, vehicle_id, page), page)


async def get_schedule(db: Database, user_id: str, schedule_id: uuid.UUID) -> asyncpg.Record:
    async with connection(db) as conn:
        row = await repository.get_schedule(conn, user_id, schedule_id)
    if row is None:
        raise NotFoundError("Schedule not found")
    return row


async def update_schedule(
    db: Database, cache: Cache, user_id: str, schedule_id: uuid.UUID, update: ScheduleUpdate, units: Units
) -> asyncpg.Record:
    """Apply a partial update; a changed interval or base moves the due point (a new cycle)."""
    async with transaction(db) as conn:
        schedule = await repository.get_schedule(conn, user_id, schedule_id, for_update=True)
        if schedule is None:
            raise NotFoundError("Schedule not found")
        row = await repository.update_schedule(conn, user_id, schedule_id, corrected(schedule, update, units))
        await enqueue(conn, events.schedule_changed(row))
        if await announce_due(conn, user_id, row["vehicle_id"], today()):
            row = await repository.get_schedule(conn, user_id, schedule_id)
        invalidate_upcoming(cache, user_id, row["vehicle_id"])
    return row


async def delete_schedule(db: Database, cache: Cache, user_id: str, schedule_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        vehicle_id = await repository.delete_schedule(conn, user_id, schedule_id)
        if vehicle_id is None:
            raise NotFoundError("Schedule not found")
        await enqueue(conn, events.schedule_deleted(user_id, schedule_id, vehicle_id))
        invalidate_upcoming(cache, user_id, vehicle_id)
