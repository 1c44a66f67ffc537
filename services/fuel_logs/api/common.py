"""What the handlers share: the units query, settings, cache invalidation, the caller's fill-up."""

from __future__ import annotations

import uuid

from aiohttp import web

from shared.cache import CACHE
from shared.http.errors import NotFound
from shared.http.validation import parse_query
from shared.storage import SWEEPER

from .. import repository
from ..cache_keys import list_cache_keys
from ..domain.fill_ups import UnitsQuery
from ..domain.units import UnitSystem
from ..settings import FuelLogsSettings

SETTINGS = web.AppKey("fuel_logs_settings", FuelLogsSettings)


def units(request: web.Request) -> UnitSystem:
    return parse_query(request, UnitsQuery).units


async def after_change(request: web.Request, user_id: str, *, files_deleted: bool = False) -> None:
    """After a committed write: drop the user's cached lists; start the file sweeper early."""
    await request.app[CACHE].user_changed(user_id, *list_cache_keys(user_id))  # the edge's answers too
    if files_deleted:
        request.app[SWEEPER].wake()


async def owned_fuel_log(conn, user_id: str, fuel_log_id: uuid.UUID, *, for_update: bool = False):
    """The caller's fill-up, or 404 (another user's fill-up is not theirs to know about)."""
    row = await repository.get_fuel_log(conn, user_id, fuel_log_id, for_update=for_update)
    if row is None:
        raise NotFound("Fuel log not found")
    return row
