"""HTTP handlers of the vehicles service: parse, call the repository, answer."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.events import enqueue
from shared.http.errors import Conflict, NotFound
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.validation import parse_body

from . import events, repository
from .domain import VehicleInput, vehicle_view

routes = web.RouteTableDef()
LIST_TTL_SECONDS = 300


def list_cache_key(user_id: str) -> str:
    return f"vehicles:list:{user_id}"


def vehicle_id_param(request: web.Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info["id"])
    except ValueError:
        raise NotFound("Vehicle not found") from None  # a malformed id names no vehicle of yours


@routes.get("/api/vehicles")
async def list_vehicles(request: web.Request) -> web.Response:
    user_id = current_user(request)

    async def load() -> list[dict]:
        async with request.app[POOL].acquire() as conn:
            return [vehicle_view(row) for row in await repository.list_vehicles(conn, user_id)]

    vehicles = await request.app[CACHE].get_or_load(list_cache_key(user_id), LIST_TTL_SECONDS, load)
    return json_response(vehicles)


@routes.post("/api/vehicles")
async def create_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle = await parse_body(request, VehicleInput)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        try:
            row = await repository.insert_vehicle(conn, user_id, vehicle.model_dump())
        except asyncpg.UniqueViolationError:
            raise Conflict("You already have a vehicle with this VIN") from None
        view = vehicle_view(row)
        await enqueue(conn, events.vehicle_created(view))
    await request.app[CACHE].invalidate(list_cache_key(user_id))
    return json_response(view, status=201)


@routes.get("/api/vehicles/{id}")
async def get_vehicle(request: web.Request) -> web.Response:
    async with request.app[POOL].acquire() as conn:
        row = await repository.get_vehicle(conn, current_user(request), vehicle_id_param(request))
    if row is None:
        raise NotFound("Vehicle not found")
    return json_response(vehicle_view(row))


@routes.delete("/api/vehicles/{id}")
async def delete_vehicle(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = vehicle_id_param(request)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await repository.get_vehicle(conn, user_id, vehicle_id)
        if row is None or not await repository.soft_delete_vehicle(conn, user_id, vehicle_id):
            raise NotFound("Vehicle not found")
        await enqueue(conn, events.vehicle_deleted(vehicle_view(row)))
    await request.app[CACHE].invalidate(list_cache_key(user_id))
    return web.Response(status=204)
