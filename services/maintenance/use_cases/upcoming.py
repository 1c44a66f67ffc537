"""The upcoming view: every schedule of a vehicle with its urgency, most urgent first."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from shared.cache import Cache
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import repository
from ..cache_keys import upcoming_cache_key
from ..domain.lists import UPCOMING_ORDER
from ..domain.units import Units, to_miles
from ..domain.urgency import SEVERITY, Thresholds, assess, driving_rate, projected_due_date
from ..domain.schedules import thresholds_for
from ..domain.views import upcoming_item
from .common import require_vehicle, today
from .due import announce_due


async def upcoming_schedules(
    db: Database,
    cache: Cache,
    user_id: str,
    vehicle_id: uuid.UUID,
    *,
    units: Units,
    current_mileage: Decimal | None,
    defaults: Thresholds,
    window_days: int,
    cache_seconds: int,
    page: Page | None = None,
) -> PageOf[dict]:
    """The view in the caller's unit, cached per vehicle, unit and day for `cache_seconds` unless
    the caller gives `current_mileage` (their unit), which makes it a one-off view. Reading it
    announces the schedules that fell due. A page is cut out of the whole view (its rank is
    computed, not stored)."""
    return UPCOMING_ORDER.slice(await _upcoming(db, cache, user_id, vehicle_id, units, current_mileage, defaults,
                                                window_days, cache_seconds), page)


async def _upcoming(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, units: Units, current_mileage: Decimal | None,
    defaults: Thresholds, window_days: int, cache_seconds: int,
) -> list[dict]:
    on = today()

    async def load() -> list[dict]:
        async with transaction(db) as conn:
            await require_vehicle(conn, user_id, vehicle_id)
            mileage = to_miles(current_mileage, units)
            return await _ranked(conn, user_id, vehicle_id, on, units, mileage, defaults, window_days)

    if current_mileage is not None:
        return await load()
    # Ownership first: a cached view must never answer another user (the key holds the user id,
    # but a deleted vehicle's entry could outlive it until invalidated).
    async with connection(db) as conn:
        await require_vehicle(conn, user_id, vehicle_id)
    return await cache.get_or_load(upcoming_cache_key(user_id, vehicle_id, units, on), cache_seconds, load)


async def _ranked(
    conn: asyncpg.Connection,
    user_id: str,
    vehicle_id: uuid.UUID,
    on: date,
    units: Units,
    current_mileage: Decimal | None,
    defaults: Thresholds,
    window_days: int,
) -> list[dict]:
    """A caller's `current_mileage` (in miles here) replaces the known odometer in this view
    only; due announcements go by the odometer the service knows."""
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
        thresholds = thresholds_for(row, defaults, units)
        assessment = assess(row["next_due_date"], row["next_due_odometer"], on, odometer, thresholds)
        projected = projected_due_date(row["next_due_date"], assessment.distance_until_due, on, rate)
        rank = (SEVERITY.index(assessment.urgency), projected or date.max, str(row["id"]))
        ranked.append((rank, upcoming_item(row, assessment, projected, units)))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]
