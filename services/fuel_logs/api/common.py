"""What the handlers share: path ids, the units query, vehicle checks, views, cache invalidation."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.errors import NotFound
from shared.http.middleware import current_user
from shared.http.validation import parse_query, path_uuid
from shared.storage import SWEEPER

from .. import repository
from ..cache_keys import list_cache_keys
from ..domain.economy import Interval, closes_interval, closing_interval, resets_chain
from ..domain.fill_ups import CENT, FuelType, UnitsQuery, station_place_id, to_canonical, total_cost
from ..domain.stats import economy_by_fill
from ..domain.units import UnitSystem
from ..domain.views import fill_from_row, fuel_log_view, is_electric
from ..settings import FuelLogsSettings
from ..vehicle_wait import PROJECTION_WATCH

SETTINGS = web.AppKey("fuel_logs_settings", FuelLogsSettings)




def units(request: web.Request) -> UnitSystem:
    return parse_query(request, UnitsQuery).units


async def known_vehicle(request: web.Request, user_id: str, vehicle_id: uuid.UUID) -> dict[str, Any]:
    """The caller's live vehicle from the projection, waiting briefly if it has not arrived yet."""
    pool = request.app[POOL]

    async def state():
        async with pool.acquire() as conn:
            return await repository.vehicle_state(conn, vehicle_id)

    vehicle = await state()
    if vehicle is None:
        settings = request.app[SETTINGS]

        async def learnt() -> bool:
            return await state() is not None

        if await request.app[PROJECTION_WATCH].wait_for(vehicle_id, learnt, settings.vehicle_wait_seconds):
            vehicle = await state()
    if vehicle is None or vehicle["deleted"] or vehicle["user_id"] != user_id:
        raise NotFound("Vehicle not found")
    return dict(vehicle)


def stored_values(entered: dict[str, Any], system: UnitSystem, given_total=None) -> dict[str, Any]:
    """Entered values (in `system`) as stored: canonical units, total cost, station id."""
    fuel_type = FuelType(entered["fuel_type"])
    values = to_canonical(entered, system, fuel_type)
    values["fuel_type"] = fuel_type.value
    values["total_cost"] = (
        given_total.quantize(CENT) if given_total is not None
        else total_cost(entered["fuel_units"], entered["cost_per_unit"])
    )
    values["station_place_id"] = station_place_id(values.get("location_data"))
    return values


def views(rows: list[dict], system: UnitSystem) -> list[dict]:
    """Rows as responses, their economy computed over the rows themselves (whole chains)."""
    closing = economy_by_fill(rows)
    return [fuel_log_view(row, system, closing.get(str(row["id"]))) for row in rows]


async def one_view(conn, row: dict, system: UnitSystem) -> dict:
    """One fill-up as a response: what create, read and update answer."""
    return fuel_log_view(row, system, await closing_of(conn, row))


async def closing_of(conn, row: dict) -> Interval | None:
    """The interval a stored fill-up closes, read from the few fill-ups before it in its chain,
    so that its cost does not grow with the vehicle's history."""
    target = fill_from_row(row)
    if not closes_interval(target):
        return None  # only a full fill closes an interval; nothing before it needs reading
    if target.odometer is not None:
        before = (row["odometer_reading"], row["date_time"], row["id"])
        window = await repository.chain_before(
            conn, row["user_id"], row["vehicle_id"], is_electric(row), before,
            until=lambda r: resets_chain(fill_from_row(r)),
        )
        if window is not None:
            return closing_interval(target, map(fill_from_row, window))
    # Trip-only fill-ups in the chain: positions depend on the whole history, so read all of it.
    siblings = await repository.list_for_vehicle(conn, row["user_id"], row["vehicle_id"])
    return economy_by_fill(siblings).get(str(row["id"]))


async def after_change(request: web.Request, user_id: str, *, files_deleted: bool = False) -> None:
    """After a committed write: drop the user's cached lists; start the file sweeper early."""
    await request.app[CACHE].user_changed(user_id, *list_cache_keys(user_id))  # the edge's answers too
    if files_deleted:
        request.app[SWEEPER].wake()


async def vehicle_fill_ups(request: web.Request) -> tuple[uuid.UUID, UnitSystem, list]:
    """For routes under /vehicle/{vehicleId}: the caller's vehicle, the units asked for, its fill-ups."""
    user_id = current_user(request)
    system = units(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    await known_vehicle(request, user_id, vehicle_id)
    async with request.app[POOL].acquire() as conn:
        rows = await repository.list_for_vehicle(conn, user_id, vehicle_id)
    return vehicle_id, system, rows


async def owned_fuel_log(conn, user_id: str, fuel_log_id: uuid.UUID, *, for_update: bool = False):
    """The caller's fill-up, or 404 (another user's fill-up is not theirs to know about)."""
    row = await repository.get_fuel_log(conn, user_id, fuel_log_id, for_update=for_update)
    if row is None:
        raise NotFound("Fuel log not found")
    return row
