"""CSV export of a vehicle's fill-ups and all-or-nothing CSV import into a vehicle."""

from __future__ import annotations

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.imports.report import ImportReport
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.http.validation import csv_upload_text, parse_query, path_uuid

from ..domain.csv_format import write_csv
from ..domain.imports import ImportQuery
from ..domain.views import fuel_log_views
from ..use_cases.csv_import import import_fill_ups
from ..use_cases.fill_ups import vehicle_fill_ups
from ..vehicle_wait import PROJECTION_WATCH
from .common import units

routes = web.RouteTableDef()


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


IMPORT_RESPONSES = {
    200: ImportReport,  # dry run: what the file would import; nothing written
    201: ImportReport,  # imported, with the new fill-ups' ids; rows imported before are skipped
    400: "Unreadable file, unknown format (the formats recognised are listed), or rejected rows "
         "(`details`: row, field, message); nothing stored",
    413: "File larger than FUEL_LOGS_IMPORT_MAX_BYTES",
    415: "Not text/csv",
}


@routes.post("/api/fuel-logs/vehicle/{vehicleId}/import")
@documented(
    summary="Import fill-ups from Fuelly, Fuelio, Drivvo, LubeLogger or our own CSV export",
    description="The format is detected from the header or section markers, or named with `format`. "
                "`units` gives the file's units when the file does not say (LubeLogger, our export; "
                "Drivvo defaults to metric). All or nothing; importing the same file again adds nothing.",
    query=ImportQuery, responses=IMPORT_RESPONSES,
)
async def import_csv(request: web.Request) -> web.Response:
    raw = await request.read()  # before any refusal (csv_upload_text says why)
    user_id = current_user(request)
    query = parse_query(request, ImportQuery)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    settings = request.app[SETTINGS]
    text = csv_upload_text(request, raw, settings.import_max_bytes)
    result = await import_fill_ups(
        request.app[POOL], request.app[CACHE], request.app[PROJECTION_WATCH], user_id, vehicle_id, text, query,
        settings.import_max_rows,
    )
    return json_response(result, status=200 if query.dry_run else 201)
