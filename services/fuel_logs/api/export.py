"""The fuel logs part of the account export, read by the edge's GET /api/account/export."""

from __future__ import annotations

from aiohttp import web

from shared.db import POOL
from shared.export_stream import stream_ndjson
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.storage import STORAGE

from ..domain.fill_ups import UnitsQuery
from ..use_cases.export import export_account
from .common import units

routes = web.RouteTableDef()


@routes.get("/api/fuel-logs/export")
@documented(summary="The caller's fill-ups and receipt links for the account export (NDJSON)", query=UnitsQuery,
            responses={200: "NDJSON lines: schema, fill-up records with CSV rows, files, end"})
async def export_fuel_logs(request: web.Request) -> web.StreamResponse:
    lines = export_account(request.app[POOL], request.app[STORAGE], current_user(request), units(request))
    return await stream_ndjson(request, lines)
