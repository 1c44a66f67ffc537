"""The maintenance part of the account export, read by the edge's GET /api/account/export."""

from __future__ import annotations

from aiohttp import web

from shared.db import POOL
from shared.export_stream import stream_ndjson
from shared.http.middleware import current_user
from shared.http.openapi import documented
from shared.http.validation import parse_query

from .domain.inputs import UnitsQuery
from .use_cases.export import export_account

routes = web.RouteTableDef()


@routes.get("/api/maintenance/export")
@documented(summary="The caller's maintenance records and schedules for the account export (NDJSON)", query=UnitsQuery,
            responses={200: "NDJSON lines: schema, record and schedule lines with CSV rows, end"})
async def export_maintenance(request: web.Request) -> web.StreamResponse:
    units = parse_query(request, UnitsQuery).units
    return await stream_ndjson(request, export_account(request.app[POOL], current_user(request), units))
