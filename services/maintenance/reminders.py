"""Schedules in motion: advancing them when work is recorded, announcing their crossing into due,
and the upcoming view. Everything runs in the caller's transaction; the SQL is in repository.py.

A schedule's crossing into due (see domain/urgency.py for the boundary) is announced with
`maintenance.schedule_due.v1` exactly once per due cycle: the announcement claims the cycle on the
schedule row (`mark_announced`) in the transaction that enqueues the event. Whatever caused the
crossing (recorded work, an edited schedule, an odometer event, a read after the due date, the
periodic sweep), a second attempt finds the cycle claimed, even when it ran concurrently.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from shared.cache import Cache
from shared.events import enqueue
from shared.http.errors import BadRequest

from . import events, repository
from .domain.catalog import Category, canonical_subtypes
from .domain.inputs import ScheduleInput, ScheduleUpdate, require_interval
from .domain.recurrence import Recurrence, complete, start_cycle
from .domain.units import Units, to_miles
from .domain.urgency import SEVERITY, Thresholds, Urgency, assess, driving_rate, projected_due_date
from .domain.views import cycle_of, due_values, recurrence_of, thresholds_for, upcoming_item

DISTANCE_FIELDS = ("interval_distance", "last_service_odometer", "very_urgent_distance", "urgent_distance")


def today() -> date:
    """Calendar days are UTC days: a schedule due on a date is due from 00:00 UTC that day."""
    return datetime.now(UTC).date()


def upcoming_cache_key(user_id: str, vehicle_id: uuid.UUID, units: Units, on: date) -> str:
    # The day is part of the key: days until due change at midnight even when nothing is written.
    return f"maintenance:upcoming:{user_id}:{vehicle_id}:{units.value}:{on.isoformat()}"


async def invalidate_upcoming(cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> None:
    """After any committed change of the user's maintenance data: also drops the edge's answers."""
    on = today()
    await cache.user_changed(user_id, *(upcoming_cache_key(user_id, vehicle_id, units, on) for units in Units))


# --- due announcements --------------------------------------------------------------------------


async def announce_due(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, on: date) -> list[uuid.UUID]:
    """Announce every schedule of the vehicle that is due and not yet announced in its cycle."""
    pending = await repository.unannounced_schedules(conn, user_id, vehicle_id)
    if not pending:
        return []
    odometer = await repository.current_odometer(conn, user_id, vehicle_id)
    announced = []
    for row in pending:
        assessment = assess(row["next_due_date"], row["next_due_odometer"], on, odometer)
        if assessment.urgency is not Urgency.PAST_DUE:
            continue
        if await repository.mark_announced(conn, user_id, row["id"], row["due_cycle"]):
            await enqueue(conn, events.schedule_due(row, assessment))
            announced.append(row["id"])
    return announced


# --- recorded work ------------------------------------------------------------------------------


async def record_work(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, values: dict) -> asyncpg.Record:
    row = await repository.insert_record(conn, user_id, vehicle_id, values)
    await advance_schedules(conn, row)
    await enqueue(conn, events.record_created(row))
    await announce_due(conn, user_id, vehicle_id, today())
    return row


async def advance_schedules(conn: asyncpg.Connection, record: Mapping) -> int:
    """Start the next cycle of every schedule whose whole work this record did. A record older
    than (or as old as) a schedule's last service is history, not a completion."""
    user_id, vehicle_id = record["user_id"], record["vehicle_id"]
    schedules = await repository.schedules_completed_by(conn, user_id, vehicle_id, record["category"], list(record["subtypes"]))
    if not schedules:
        return 0
    done_at = record["odometer_reading"]
    if done_at is None:  # no reading on the record: the best known one stands in
        done_at = await repository.current_odometer(conn, user_id, vehicle_id)
    advanced = 0
    for schedule in schedules:
        last = schedule["last_service_date"]
        if last is not None and record["date"] <= last:
            continue
        recurrence = recurrence_of(schedule)
        cycle = complete(cycle_of(schedule), recurrence, record["date"], done_at)
        values = dict(schedule) | due_values(cycle, recurrence) | {
            "last_service_date": record["date"],
            "last_service_odometer": record["odometer_reading"],
            "last_record_id": record["id"],
            "due_cycle": schedule["due_cycle"] + 1,
        }
        await repository.update_schedule(conn, user_id, schedule["id"], values)
        advanced += 1
    return advanced


# --- schedules ----------------------------------------------------------------------------------


async def create_schedule(conn: asyncpg.Connection, user_id: str, body: ScheduleInput, units: Units) -> asyncpg.Record:
    recurrence = Recurrence(body.interval_months, to_miles(body.interval_distance, units), bool(body.fixed_intervals))
    last_date, last_odometer = body.last_service_date, to_miles(body.last_service_odometer, units)
    last_record_id = None
    if last_date is None and last_odometer is None:
        # No base given: the latest record that did this work, if there is one.
        latest = await repository.latest_covering_record(conn, user_id, body.vehicle_id, body.category.value, body.subtypes)
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
    return row


async def update_schedule(
    conn: asyncpg.Connection, user_id: str, schedule: Mapping, update: ScheduleUpdate, units: Units
) -> asyncpg.Record:
    """Apply a partial update; a changed interval or base moves the due point (a new cycle)."""
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
    _check_merged(merged)
    recurrence = recurrence_of(merged)
    cycle = cycle_of(schedule)
    if sent & {"last_service_date", "last_service_odometer"}:
        base_date = merged["last_service_date"] or cycle.base_date
        base_odometer = merged["last_service_odometer"]
        cycle = start_cycle(base_date, cycle.base_odometer if base_odometer is None else base_odometer)
    merged |= due_values(cycle, recurrence)
    if (merged["next_due_date"], merged["next_due_odometer"]) != (schedule["next_due_date"], schedule["next_due_odometer"]):
        merged["due_cycle"] = schedule["due_cycle"] + 1
    row = await repository.update_schedule(conn, user_id, schedule["id"], merged)
    if await announce_due(conn, user_id, row["vehicle_id"], today()):
        row = await repository.get_schedule(conn, user_id, row["id"])
    return row


def _check_merged(merged: dict) -> None:
    """What a partial update cannot check field by field: the subtypes against a new category, and
    that some interval is left."""
    try:
        merged["subtypes"] = canonical_subtypes(Category(merged["category"]), list(merged["subtypes"]))
    except ValueError as exc:
        raise BadRequest("Invalid input", details=[{"field": "subtypes", "message": str(exc), "type": "value_error"}]) from None
    require_interval(merged["interval_months"], merged["interval_distance"])


# --- the upcoming view --------------------------------------------------------------------------


async def upcoming(
    conn: asyncpg.Connection,
    user_id: str,
    vehicle_id: uuid.UUID,
    *,
    on: date,
    units: Units,
    current_mileage: Decimal | None,
    defaults: Thresholds,
    window_days: int,
) -> list[dict]:
    """Every schedule of the vehicle with its urgency, most urgent first. A caller's
    `currentMileage` (already in miles) replaces the known odometer in this view only; due
    announcements go by the odometer the service knows."""
    await announce_due(conn, user_id, vehicle_id, on)
    schedules = await repository.list_schedules(conn, user_id, vehicle_id)
    readings = await repository.odometer_readings(conn, user_id, vehicle_id, on - timedelta(days=window_days))
    if current_mileage is None:
        odometer = await repository.current_odometer(conn, user_id, vehicle_id)
    else:
        odometer = current_mileage
        readings.append((on, current_mileage))
    rate = driving_rate(readings, on, window_days)
    ranked = []
    for row in schedules:
        assessment = assess(row["next_due_date"], row["next_due_odometer"], on, odometer, thresholds_for(row, defaults, units))
        projected = projected_due_date(row["next_due_date"], assessment.distance_until_due, on, rate)
        rank = (SEVERITY.index(assessment.urgency), projected or date.max, str(row["id"]))
        ranked.append((rank, upcoming_item(row, assessment, projected, units)))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]
