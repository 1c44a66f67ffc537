"""CSV export of a vehicle's fill-ups and all-or-nothing CSV import into a vehicle."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from shared.db import POOL
from shared.events import enqueue
from shared.http.errors import BadRequest, NotFound, UnsupportedMediaType
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import field_details, path_uuid

from .. import events, repository
from ..domain.csv_format import CsvProblem, read_rows, row_to_input, write_csv
from ..domain.fill_ups import FuelLogInput, entered_values, rule_violations, stored_values, vehicle_default_fuel_type
from ..domain.views import fuel_log_views
from .common import SETTINGS, after_change, known_vehicle, units, vehicle_fill_ups

routes = web.RouteTableDef()
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


@routes.get("/api/fuel-logs/vehicle/{vehicleId}/export")
async def export_csv(request: web.Request) -> web.Response:
    vehicle_id, system, rows = await vehicle_fill_ups(request)
    oldest_first = sorted(fuel_log_views(rows, system), key=lambda v: (v["dateTime"], v["id"]))
    return web.Response(
        text=write_csv(oldest_first),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="fuel-logs-{vehicle_id}-{system.value}.csv"'},
    )


@routes.post("/api/fuel-logs/vehicle/{vehicleId}/import")
async def import_csv(request: web.Request) -> web.Response:
    """Every row is checked first; one bad row imports nothing and the report names them all."""
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
    vehicle = await known_vehicle(request, user_id, vehicle_id)
    default_fuel = vehicle_default_fuel_type(vehicle["fuel_type"])
    try:
        columns, rows = read_rows(text)
    except CsvProblem as problem:
        raise BadRequest("CSV file not readable; nothing imported",
                         details=[{"field": problem.field, "message": str(problem), "type": "csv"}]) from None
    limit = request.app[SETTINGS].import_max_rows
    if len(rows) > limit:
        raise BadRequest(f"At most {limit} rows per import; nothing imported")
    if not rows:
        raise BadRequest("The CSV file has no data rows; nothing imported")

    to_store: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for line, cells in rows:
        try:
            stored, row_problems = _checked_row(columns, cells, vehicle_id, default_fuel, system)
        except CsvProblem as problem:
            stored, row_problems = None, [{"field": problem.field, "message": str(problem), "type": "csv"}]
        problems += [{"row": line, **p} for p in row_problems]
        if stored is not None:
            to_store.append(stored)
    if problems:
        raise BadRequest(f"{len({p['row'] for p in problems})} invalid row(s); nothing imported", details=problems)

    async with request.app[POOL].acquire() as conn, conn.transaction():
        if await repository.lock_live_vehicle(conn, user_id, vehicle_id) is None:
            raise NotFound("Vehicle not found")
        inserted = [await repository.insert_fuel_log(conn, user_id, vehicle_id, values) for values in to_store]
        await enqueue(conn, *(events.fuel_log_created(row) for row in inserted))
    await after_change(request, user_id)
    return json_response({"imported": len(inserted), "fuelLogIds": [str(r["id"]) for r in inserted]}, status=201)


def _checked_row(columns, cells, vehicle_id, default_fuel, system) -> tuple[dict | None, list[dict]]:
    """A row as stored values, or its problems (same model and rules as POST /api/fuel-logs)."""
    body, given_total = row_to_input(columns, cells)
    try:
        fill_up = FuelLogInput.model_validate({**body, "vehicleId": str(vehicle_id)})
    except ValidationError as exc:
        return None, field_details(exc)
    entered = entered_values(fill_up)
    entered["fuel_type"] = fill_up.fuel_type or default_fuel
    violations = rule_violations(entered)
    if violations:
        return None, [asdict(v) for v in violations]
    total = Decimal(given_total) if given_total is not None else None
    return stored_values(entered, system, total), []
