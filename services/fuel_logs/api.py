"""HTTP handlers of the fuel logs service."""

from __future__ import annotations

import uuid

from aiohttp import web

from shared.db import POOL
from shared.http.errors import NotFound
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import parse_body

from . import repository
from .domain import FuelLogInput, fuel_log_view, total_cost

routes = web.RouteTableDef()


@routes.post("/api/fuel-logs")
async def create_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fill_up = await parse_body(request, FuelLogInput)
    values = fill_up.model_dump() | {"total_cost": total_cost(fill_up.fuel_units, fill_up.cost_per_unit)}
    async with request.app[POOL].acquire() as conn, conn.transaction():
        if not await repository.owns_live_vehicle(conn, user_id, fill_up.vehicle_id):
            raise NotFound("Vehicle not found")
        row = await repository.insert_fuel_log(conn, user_id, values)
    return json_response(fuel_log_view(row), status=201)


@routes.get("/api/fuel-logs/vehicle/{vehicleId}")
async def list_vehicle_fuel_logs(request: web.Request) -> web.Response:
    user_id = current_user(request)
    try:
        vehicle_id = uuid.UUID(request.match_info["vehicleId"])
    except ValueError:
        raise NotFound("Vehicle not found") from None
    async with request.app[POOL].acquire() as conn:
        if not await repository.owns_live_vehicle(conn, user_id, vehicle_id):
            raise NotFound("Vehicle not found")
        rows = await repository.list_for_vehicle(conn, user_id, vehicle_id)
    return json_response([fuel_log_view(row) for row in rows])
