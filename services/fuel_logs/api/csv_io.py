"""CSV export of a vehicle's fill-ups and all-or-nothing CSV import into a vehicle."""

from __future__ import annotations

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.app import SETTINGS
from shared.http.errors import BadRequest, UnsupportedMediaType
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import path_uuid

from ..domain.csv_format import write_csv
from ..domain.views import fuel_log_views
from ..use_cases.csv_import import import_fill_ups
from ..use_cases.fill_ups import vehicle_fill_ups
from ..vehicle_wait import PROJECTION_WATCH
from .common import units

routes = web.RouteTableDef()
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


@routes.get("/api/fuel-logs/vehicle/{vehicleId}/export")
async def export_csv(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    rows = await vehicle_fill_ups(request.app[POOL], request.app[PROJECTION_WATCH], user_id, vehicle_id)
    return web.Response(
        text=write_csv(fuel_log_views(rows, system)),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="fuel-logs-{vehicle_id}-{system.value}.csv"'},
    )


@routes.post("/api/fuel-logs/vehicle/{vehicleId}/import")
async def import_csv(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    # Read the body before any refusal: an unread body left on a keep-alive connection stalls
    # the server's shutdown (seen with aiohttp 3.14).
    raw = await request.read()
    if request.content_type not in CSV_TYPES:
        raise UnsupportedMediaType(f"Expected text/csv, got {request.content_type or 'nothing'}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The CSV file must be UTF-8") from None
    inserted = await import_fill_ups(
        request.app[POOL], request.app[CACHE], request.app[PROJECTION_WATCH], user_id, vehicle_id, text, system,
        request.app[SETTINGS].import_max_rows,
    )
    return json_response({"imported": len(inserted), "fuelLogIds": [str(r["id"]) for r in inserted]}, status=201)
