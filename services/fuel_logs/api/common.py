"""What the handlers share: the units query, settings, the vehicle check, cache invalidation."""

from __future__ import annotations

import uuid
from typing import Any, Mapping

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.errors import NotFound
from shared.http.middleware import current_user
from shared.http.validation import parse_query, path_uuid
from shared.storage import SWEEPER

from .. import repository
from ..cache_keys import list_cache_keys
from ..domain.fill_ups import UnitsQuery
from ..domain.units import UnitSystem
from ..settings import FuelLogsSettings
from ..use_cases.fill_ups import vehicle_fill_ups as fill_ups_of_vehicle
from ..use_cases.vehicles import live_vehicle
from ..vehicle_wait import PROJECTION_WATCH

SETTINGS = web.AppKey("fuel_logs_settings", FuelLogsSettings)


def units(request: web.Request) -> UnitSystem:
    return parse_query(request, UnitsQuery).units


async def known_vehicle(request: web.Request, user_id: str, vehicle_id: uuid.UUID) -> Mapping[str, Any]:
    return await live_vehicle(request.app[POOL], request.app[PROJECTION_WATCH], user_id, vehicle_id)


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
    rows = await fill_ups_of_vehicle(request.app[POOL], request.app[PROJECTION_WATCH], user_id, vehicle_id)
    return vehicle_id, system, rows


async def owned_fuel_log(conn, user_id: str, fuel_log_id: uuid.UUID, *, for_update: bool = False):
    """The caller's fill-up, or 404 (another user's fill-up is not theirs to know about)."""
    row = await repository.get_fuel_log(conn, user_id, fuel_log_id, for_update=for_update)
    if row is None:
        raise NotFound("Fuel log not found")
    return row
