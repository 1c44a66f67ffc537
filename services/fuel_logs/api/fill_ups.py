"""Fill-ups: create, read, update, delete; per-vehicle lists and statistics."""

from __future__ import annotations

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.edge_cache import edge_cacheable
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.http.middleware import current_user
from shared.http.openapi import documented, links_by_new_id
from shared.http.paging import page_query, paged_response
from shared.http.validation import parse_body, path_uuid
from shared.paging import Page, PageOf
from shared.storage import SWEEPER

from ..cache_keys import LIST_TTL_SECONDS
from ..domain.fill_ups import FuelLogInput, FuelLogUpdate, UnitsQuery
from ..domain.lists import FILL_UP_ORDER
from ..domain.responses import FillUp, FuelStats
from ..domain.stats import vehicle_stats
from ..domain.views import fuel_log_view
from ..use_cases.fill_ups import (
    delete_fill_up, get_fill_up, list_fill_ups, record_fill_up, update_fill_up, vehicle_fill_up_views,
    vehicle_fill_ups,
)
from ..vehicle_wait import PROJECTION_WATCH
from .common import units

routes = web.RouteTableDef()
vehicle_routes = web.RouteTableDef()

# What a new fill-up's id opens (OpenAPI links).
FILL_UP_LINKS = links_by_new_id(
    GetFillUp="fuel_logs.get_fuel_log",
    UpdateFillUp="fuel_logs.update_fuel_log",
    DeleteFillUp="fuel_logs.delete_fuel_log",
    StartReceiptUpload="fuel_logs.start_receipt_upload",
    GetReceipt="fuel_logs.receipt_download",
    DeleteReceipt="fuel_logs.delete_receipt",
)


@routes.post("/api/fuel-logs")
@documented(summary="Record a fill-up", body=FuelLogInput, links={201: FILL_UP_LINKS},
            responses={201: FillUp, 409: "The odometer contradicts another fill-up (details name it); "
                                                "send confirmOdometer: true"})
async def create_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fill_up = await parse_body(request, FuelLogInput)
    system = units(request)
    saved = await record_fill_up(
        request.app[POOL], request.app[CACHE], request.app[PROJECTION_WATCH], user_id, fill_up, system,
        max_daily_distance=request.app[SETTINGS].odometer_bound,
    )
    return json_response(fuel_log_view(saved.row, system, saved.closing), status=201)


@routes.get("/api/fuel-logs")
@documented(summary="List your fill-ups, newest first", query=UnitsQuery, responses={200: [FillUp]}, paged=True)
async def list_fuel_logs(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    page = page_query(request, FILL_UP_ORDER)
    views = await list_fill_ups(request.app[POOL], request.app[CACHE], user_id, system, page)
    return _list_response(request, views, page)


def _list_response(request: web.Request, views: PageOf, page: Page | None) -> web.Response:
    """The whole list, cacheable by the edge, as before paging; a page, which the edge's cache
    (it keeps bodies, not the Link header) must not keep."""
    if page is None:
        return edge_cacheable(json_response(views.items), LIST_TTL_SECONDS)
    return paged_response(request, views.items, views, FILL_UP_ORDER)


@routes.get("/api/fuel-logs/{id}")
@documented(summary="Get a fill-up", query=UnitsQuery, responses={200: FillUp})
async def get_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    found = await get_fill_up(request.app[POOL], user_id, fuel_log_id)
    return edge_cacheable(json_response(fuel_log_view(found.row, system, found.closing)), LIST_TTL_SECONDS)


@routes.put("/api/fuel-logs/{id}")
@documented(summary="Update a fill-up", body=FuelLogUpdate,
            responses={200: FillUp, 409: "The odometer contradicts another fill-up (details name it); "
                                                "send confirmOdometer: true"})
async def update_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    patch = await parse_body(request, FuelLogUpdate)
    saved = await update_fill_up(request.app[POOL], request.app[CACHE], user_id, fuel_log_id, patch, system,
                                 max_daily_distance=request.app[SETTINGS].odometer_bound)
    return json_response(fuel_log_view(saved.row, system, saved.closing))


@routes.delete("/api/fuel-logs/{id}")
async def delete_fuel_log(request: web.Request) -> web.Response:
    user_id = current_user(request)
    fuel_log_id = path_uuid(request, "id", "Fuel log")
    await delete_fill_up(request.app[POOL], request.app[CACHE], request.app[SWEEPER], user_id, fuel_log_id)
    return web.Response(status=204)


@vehicle_routes.get("/api/fuel-logs/vehicle/{vehicleId}")
@documented(summary="List a vehicle's fill-ups, newest first", query=UnitsQuery, responses={200: [FillUp]},
            paged=True)
async def list_vehicle_fuel_logs(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    page = page_query(request, FILL_UP_ORDER)
    views = await vehicle_fill_up_views(
        request.app[POOL], request.app[PROJECTION_WATCH], user_id, vehicle_id, system, page)
    return _list_response(request, views, page)


@vehicle_routes.get("/api/fuel-logs/vehicle/{vehicleId}/stats")
@documented(summary="A vehicle's fuel and cost statistics, with a monthly series", query=UnitsQuery,
            responses={200: FuelStats})
async def vehicle_fuel_stats(request: web.Request) -> web.Response:
    user_id = current_user(request)
    system = units(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    rows = await vehicle_fill_ups(request.app[POOL], request.app[PROJECTION_WATCH], user_id, vehicle_id)
    return edge_cacheable(json_response({"vehicleId": str(vehicle_id), **vehicle_stats(rows, system)}), LIST_TTL_SECONDS)
