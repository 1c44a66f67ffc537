"""Maintenance schedules: setting one up from its last service, reading, correcting, deleting."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.transactions import Database, transaction

from .. import repository
from ..domain.catalog import Category, canonical_subtypes
from ..domain.inputs import ScheduleInput, ScheduleUpdate, require_interval
from ..domain.recurrence import Recurrence, start_cycle
from ..domain.units import Units, to_miles
from ..domain.views import cycle_of, due_values, recurrence_of
from .common import connection, invalidate_upcoming, require_vehicle, today
from .due import announce_due

DISTANCE_FIELDS = ("interval_distance", "last_service_odometer", "very_urgent_distance", "urgent_distance")


async def create_schedule(
    db: Database, cache: Cache, user_id: str, body: ScheduleInput, units: Units
) -> asyncpg.Record:
    """A new schedule, based on the last service given, else the latest record that did the work,
    else today and the vehicle's current odometer. It may be due at once (announced then)."""
    recurrence = Recurrence(body.interval_months, to_miles(body.interval_distance, units), bool(body.fixed_intervals))
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
        cycle = start_cycle(last_date or today(), base_odometer)
        values = {
            "category": body.category.value,
            "subtypes": body.subtypes,
            "interval_months": recurrence.months,
            "interval_distance": recurrence.distance,
            "fixed_intervals": recurrence.fixed,
            **due_values(cycle, recurrence),
            "last_service_date": last_date,
            "last_service_odometer": last_odometer,
            "last_record_id": last_record_id,
            "very_urgent_days": body.very_urgent_days,
            "urgent_days": body.urgent_days,
            "very_urgent_distance": to_miles(body.very_urgent_distance, units),
            "urgent_distance": to_miles(body.urgent_distance, units),
            "notes": body.notes,
            "due_cycle": 1,
        }
        row = await repository.insert_schedule(conn, user_id, body.vehicle_id, values)
        if await announce_due(conn, user_id, body.vehicle_id, today()):
            row = await repository.get_schedule(conn, user_id, row["id"])
        invalidate_upcoming(cache, user_id, body.vehicle_id)
    return row


async def list_vehicle_schedules(db: Database, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    async with connection(db) as conn:
        await require_vehicle(conn, user_id, vehicle_id)
        return await repository.list_schedules(conn, user_id, vehicle_id)


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
        merged = _merged(schedule, update, units)
        row = await repository.update_schedule(conn, user_id, schedule_id, merged)
        if await announce_due(conn, user_id, row["vehicle_id"], today()):
            row = await repository.get_schedule(conn, user_id, schedule_id)
        invalidate_upcoming(cache, user_id, row["vehicle_id"])
    return row


def _merged(schedule: Mapping, update: ScheduleUpdate, units: Units) -> dict:
    """The schedule with the fields sent, checked as a whole, and its due point recomputed."""
    sent = update.model_fields_set - {"units"}
    merged = dict(schedule)
    for name in sent:
        value = getattr(update, name)
        if name in DISTANCE_FIELDS:
            value = to_miles(value, units)
        elif name == "category" and value is not None:
            value = value.value
        merged[name] = value
    if merged["fixed_intervals"] is None:
        merged["fixed_intervals"] = schedule["fixed_intervals"]
    # What the fields cannot check one by one: the subtypes against a new category, and that
    # some interval is left.
    merged["subtypes"] = canonical_subtypes(Category(merged["category"]), list(merged["subtypes"]))
    require_interval(merged["interval_months"], merged["interval_distance"])
    recurrence = recurrence_of(merged)
    cycle = cycle_of(schedule)
    if sent & {"last_service_date", "last_service_odometer"}:
        base_date = merged["last_service_date"] or cycle.base_date
        base_odometer = merged["last_service_odometer"]
        cycle = start_cycle(base_date, cycle.base_odometer if base_odometer is None else base_odometer)
    merged |= due_values(cycle, recurrence)
    due_point = ("next_due_date", "next_due_odometer")
    if any(merged[name] != schedule[name] for name in due_point):
        merged["due_cycle"] = schedule["due_cycle"] + 1
    return merged


async def delete_schedule(db: Database, cache: Cache, user_id: str, schedule_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        vehicle_id = await repository.delete_schedule(conn, user_id, schedule_id)
        if vehicle_id is None:
            raise NotFoundError("Schedule not found")
        invalidate_upcoming(cache, user_id, vehicle_id)
