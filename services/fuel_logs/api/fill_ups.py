"""Fill-ups: create, read, update, delete; per-vehicle lists and statistics."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.events import enqueue
from shared.http.errors import BadRequest, NotFound
from shared.edge_cache import edge_cacheable
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.middleware import current_user
from shared.http.validation import parse_body, path_uuid
from shared.storage import schedule_deletion

from .. import events, repository
from ..cache_keys import LIST_TTL_SECONDS, list_cache_key
from ..domain.fill_ups import (
    REQUIRED_ON_UPDATE, FuelLogInput, FuelLogUpdate, FuelType, check_rules, to_canonical, total_cost,
    vehicle_default_fuel_type,
)
from ..domain.stats import vehicle_stats
from .common import (
    after_change, known_vehicle, one_view, owned_fuel_log, stored_values, units, vehicle_fill_ups, views,
)

routes = web.RouteTableDef()
vehicle_routes = web.RouteTableDef()


def entered_values(model: FuelLogInput | FuelLogUpdate, *, only_sent: bool = False) -> dict[str, Any]:
    values = model.model_dump(exclude={"vehicle_id", "location_data"}, exclude_unset=only_sent)
    if not only_sent or "location_data" in model.model_fields_set:
        location = model.location_data
        values["location_data"] = location.model_dump(by_alias=True, exclude_none=True) if location else None
    return values


async def create_one(request: web.Request, user_id: str, fill_up: FuelLogInput) -> dict:
    system = units(request)
    entered = entered_values(fill_up)
    check_rules(entered)  # before waiting for the vehicle: bad input is 400 at once
    for first_try in (True, False):
        async with request.app[POOL].acquire() as conn, conn.transaction():
            vehicle = await repository.lock_live_vehicle(conn, user_id, fill_up.vehicle_id)
            if vehicle is not None:
                entered["fuel_type"] = fill_up.fuel_type or vehicle_default_fuel_type(vehicle["fuel_type"])
                check_rules(entered)
                row = await repository.insert_fuel_log(conn, user_id, fill_up.vehicle_id, stored_values(entered, system))
                await enqueue(conn, events.fuel_log_created(row))
                view = await one_view(conn, row, system)
                break
        if first_try:
            # Unknown to the projection: a vehicle created a moment ago may not have arrived yet.
            await known_vehicle(request, user_id, fill_up.vehicle_id)  # waits briefly, else 404
    else:
        raise NotFound("Vehicle not found")  # deleted while we waited
    await after_change(request, user_id)
    return view


@routes.post("/api/fuel-logs")
@documented(summary="Record a fill-up", body=FuelLogInput)
async def create_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fill_up = await parse_body(request, FuelLogInput)
    return json_response(await create_one(request, user_id, fill_up), status=201)


@routes.get("/api/fuel-logs")
async def list_fuel_logs(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)

    async def load() -> list[dict]:
        async with request.app[POOL].acquire() as conn:
            return views(await repository.list_for_user(conn, user_id), system)

    cached = await request.app[CACHE].get_or_load(list_cache_key(user_id, system), LIST_TTL_SECONDS, load)
    return edge_cacheable(json_response(cached), LIST_TTL_SECONDS)


@routes.get("/api/fuel-logs/{id}")
async def get_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    async with request.app[POOL].acquire() as conn:
        row = await owned_fuel_log(conn, user_id, fuel_log_id)
        view = await one_view(conn, row, system)
    return edge_cacheable(json_response(view), LIST_TTL_SECONDS)


@routes.put("/api/fuel-logs/{id}")
@documented(summary="Update a fill-up", body=FuelLogUpdate)
async def update_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    patch = await parse_body(request, FuelLogUpdate)
    sent = entered_values(patch, only_sent=True)
    nulls = [f for f in REQUIRED_ON_UPDATE if f in sent and sent[f] is None]
    if nulls:
        raise BadRequest("Invalid input", details=[
            {"field": _camel(f), "message": "may not be null", "type": "value_error"} for f in nulls
        ])
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await owned_fuel_log(conn, user_id, fuel_log_id, for_update=True)
        fuel_type = FuelType(sent.get("fuel_type") or row["fuel_type"])
        changes_kind = (fuel_type is FuelType.ELECTRIC) != (row["fuel_type"] == FuelType.ELECTRIC)
        if changes_kind and not {"fuel_units", "cost_per_unit"} <= sent.keys():
            raise BadRequest("Invalid input", details=[
                {"field": _camel(f), "message": "required when switching between electricity and liquid fuel",
                 "type": "value_error"} for f in ("fuel_units", "cost_per_unit") if f not in sent
            ])
        merged = {c: row[c] for c in repository.COLUMNS} | to_canonical(sent, system, fuel_type)
        merged["fuel_type"] = fuel_type.value
        check_rules(merged)
        if {"fuel_units", "cost_per_unit"} <= sent.keys():
            merged["total_cost"] = total_cost(sent["fuel_units"], sent["cost_per_unit"])
        elif {"fuel_units", "cost_per_unit"} & sent.keys():
            # Canonical quantity x canonical price is the same amount of money.
            merged["total_cost"] = total_cost(merged["fuel_units"], merged["cost_per_unit"])
        merged["station_place_id"] = (merged["location_data"] or {}).get("placeId")
        updated = await repository.update_fuel_log(conn, user_id, fuel_log_id, merged)
        await enqueue(conn, events.fuel_log_updated(updated))
        view = await one_view(conn, updated, system)
    await after_change(request, user_id)
    return json_response(view)


@routes.delete("/api/fuel-logs/{id}")
async def delete_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await repository.delete_fuel_log(conn, user_id, fuel_log_id)
        if row is None:
            raise NotFound("Fuel log not found")
        if row["receipt_key"]:
            await schedule_deletion(conn, row["receipt_key"])
        await enqueue(conn, events.fuel_log_deleted(row))
    await after_change(request, user_id, files_deleted=bool(row["receipt_key"]))
    return web.Response(status=204)


@vehicle_routes.get("/api/fuel-logs/vehicle/{vehicleId}")
async def list_vehicle_fuel_logs(request: web.Request) -> web.Response:
    _, system, rows = await vehicle_fill_ups(request)
    return edge_cacheable(json_response(views(rows, system)), LIST_TTL_SECONDS)


@vehicle_routes.get("/api/fuel-logs/vehicle/{vehicleId}/stats")
async def vehicle_fuel_stats(request: web.Request) -> web.Response:
    vehicle_id, system, rows = await vehicle_fill_ups(request)
    return edge_cacheable(json_response({"vehicleId": str(vehicle_id), **vehicle_stats(rows, system)}), LIST_TTL_SECONDS)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
