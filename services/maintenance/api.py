"""HTTP handlers of the maintenance service: parse the request, call one use case, answer.

Distances go in and out in the caller's unit: `units=imperial` (miles, the default) or
`units=metric` (km), as a query parameter or a body field (the body wins).
"""

from __future__ import annotations

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.edge_cache import edge_cacheable
from shared.http.app import SETTINGS
from shared.http.json import json_response
from shared.imports.report import ImportReport
from shared.http.middleware import current_user
from shared.http.openapi import documented, links_by_new_id
from shared.http.paging import page_query, paged_response
from shared.http.validation import csv_upload_text, parse_body, parse_query, path_uuid
from shared.paging import Page, PageOf

from . import use_cases
from .cache_keys import EDGE_CACHE_SECONDS
from .domain.catalog import SUBTYPES, Category, category_named
from .domain.csv_export import write_records_csv
from .domain.imports import ImportQuery
from .domain.inputs import (
    RecordInput, RecordsQuery, RecordUpdate, ScheduleInput, ScheduleUpdate, UnitsQuery, UpcomingQuery,
)
from .domain.lists import RECORD_ORDER, SCHEDULE_ORDER, UPCOMING_ORDER
from .domain.responses import CategorySubtypes, MaintenanceRecord, MaintenanceSchedule, UpcomingSchedule
from .domain.units import Units
from .domain.views import record_view, schedule_view

routes = web.RouteTableDef()


def caller_units(request: web.Request, body_units: Units | None = None) -> Units:
    return body_units or parse_query(request, UnitsQuery).units


# --- subtypes -----------------------------------------------------------------------------------


@routes.get("/api/maintenance/subtypes/{category}")
@documented(summary="The subtypes valid in a category", path={"category": {"enum": [c.value for c in Category]}},
            responses={200: CategorySubtypes})
async def list_subtypes(request: web.Request) -> web.Response:
    category = category_named(request.match_info["category"])
    return json_response({"category": category.value, "subtypes": list(SUBTYPES[category])})


# --- records ------------------------------------------------------------------------------------


# What a new record's or schedule's id opens (OpenAPI links).
RECORD_LINKS = links_by_new_id(GetRecord="maintenance.get_record", UpdateRecord="maintenance.update_record",
                               DeleteRecord="maintenance.delete_record")
SCHEDULE_LINKS = links_by_new_id(GetSchedule="maintenance.get_schedule",
                                 UpdateSchedule="maintenance.update_schedule",
                                 DeleteSchedule="maintenance.delete_schedule")


@routes.post("/api/maintenance/records")
@documented(summary="Create a maintenance record", body=RecordInput, responses={201: MaintenanceRecord},
            links={201: RECORD_LINKS})
async def create_record(request: web.Request) -> web.Response:
    record = await parse_body(request, RecordInput)
    units = caller_units(request, record.units)
    row = await use_cases.create_record(request.app[POOL], request.app[CACHE], current_user(request), record, units,
                                        max_daily_distance=request.app[SETTINGS].odometer_bound)
    return json_response(record_view(row, units), status=201)


@routes.get("/api/maintenance/records")
@documented(summary="List maintenance records", query=RecordsQuery, responses={200: [MaintenanceRecord]}, paged=True)
async def list_records(request: web.Request) -> web.Response:
    query = parse_query(request, RecordsQuery)
    page = page_query(request, RECORD_ORDER)
    records = await use_cases.list_records(
        request.app[POOL], current_user(request), query.vehicle_id, query.category, page)
    return _records_response(request, records, page, query.units)


@routes.get("/api/maintenance/records/vehicle/{vehicleId}")
@documented(summary="List a vehicle's maintenance records, newest first", query=UnitsQuery,
            responses={200: [MaintenanceRecord]}, paged=True)
async def list_vehicle_records(request: web.Request) -> web.Response:
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    units = caller_units(request)
    page = page_query(request, RECORD_ORDER)
    records = await use_cases.list_records(request.app[POOL], current_user(request), vehicle_id, page=page)
    return _records_response(request, records, page, units)


def _records_response(request: web.Request, records: PageOf, page: Page | None, units: Units) -> web.Response:
    """The whole list, cacheable by the edge as before paging; a page, which the edge's cache
    (it keeps bodies, not the Link header) must not keep."""
    views = [record_view(row, units) for row in records.items]
    if page is None:
        return edge_cacheable(json_response(views), EDGE_CACHE_SECONDS)
    return paged_response(request, views, records, RECORD_ORDER)


IMPORT_RESPONSES = {
    200: ImportReport,  # dry run: what the file would import; nothing written
    201: ImportReport,  # imported, with the new records' ids; rows imported before are skipped
    400: "Unreadable file, unknown format (the formats recognised are listed), or rejected rows "
         "(`details`: row, field, message); nothing stored",
    413: "File larger than MAINTENANCE_IMPORT_MAX_BYTES",
    415: "Not text/csv",
}


@routes.get("/api/maintenance/records/vehicle/{vehicleId}/export")
@documented(summary="A vehicle's maintenance records as CSV (the format the import reads back)", query=UnitsQuery,
            responses={200: "text/csv: Date, Category, Subtypes (|-separated), Odometer, Cost, ShopName, Notes"})
async def export_records(request: web.Request) -> web.Response:
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    units = caller_units(request)
    rows = (await use_cases.list_records(request.app[POOL], current_user(request), vehicle_id)).items
    return web.Response(
        text=write_records_csv(rows, units), content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="maintenance-{vehicle_id}-{units.value}.csv"'},
    )


@routes.post("/api/maintenance/records/vehicle/{vehicleId}/import")
@documented(
    summary="Import service records from Fuelly, Fuelio, Drivvo, LubeLogger or our own CSV export",
    description="The format is detected from the header or section markers, or named with `format`. "
                "`units` gives the file's distance unit when the file does not say. Free-text work is "
                "recorded as routine_maintenance with the catalogue's subtypes it names (else Other), the "
                "text kept in notes. All or nothing; importing the same file again adds nothing.",
    query=ImportQuery, responses=IMPORT_RESPONSES,
)
async def import_records(request: web.Request) -> web.Response:
    raw = await request.read()  # before any refusal: an unread body stalls the server's shutdown
    query = parse_query(request, ImportQuery)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    settings = request.app[SETTINGS]
    text = csv_upload_text(request, raw, settings.import_max_bytes)
    result = await use_cases.import_records(
        request.app[POOL], request.app[CACHE], current_user(request), vehicle_id, text, query, settings.import_max_rows
    )
    return json_response(result, status=200 if query.dry_run else 201)


@routes.get("/api/maintenance/records/{id}")
@documented(summary="Get a maintenance record", query=UnitsQuery, responses={200: MaintenanceRecord})
async def get_record(request: web.Request) -> web.Response:
    units = caller_units(request)
    row = await use_cases.get_record(request.app[POOL], current_user(request), path_uuid(request, "id", "Record"))
    return edge_cacheable(json_response(record_view(row, units)), EDGE_CACHE_SECONDS)


@routes.put("/api/maintenance/records/{id}")
@documented(summary="Update a maintenance record", body=RecordUpdate, responses={200: MaintenanceRecord})
async def update_record(request: web.Request) -> web.Response:
    """Partial update of the fields sent."""
    record_id = path_uuid(request, "id", "Record")
    update = await parse_body(request, RecordUpdate)
    units = caller_units(request, update.units)
    row = await use_cases.update_record(
        request.app[POOL], request.app[CACHE], current_user(request), record_id, update, units,
        max_daily_distance=request.app[SETTINGS].odometer_bound,
    )
    return json_response(record_view(row, units))


@routes.delete("/api/maintenance/records/{id}")
async def delete_record(request: web.Request) -> web.Response:
    record_id = path_uuid(request, "id", "Record")
    await use_cases.delete_record(request.app[POOL], request.app[CACHE], current_user(request), record_id)
    return web.Response(status=204)


# --- schedules ----------------------------------------------------------------------------------


@routes.post("/api/maintenance/schedules")
@documented(summary="Create a maintenance schedule", body=ScheduleInput, responses={201: MaintenanceSchedule},
            links={201: SCHEDULE_LINKS})
async def create_schedule(request: web.Request) -> web.Response:
    schedule = await parse_body(request, ScheduleInput)
    units = caller_units(request, schedule.units)
    row = await use_cases.create_schedule(request.app[POOL], request.app[CACHE], current_user(request), schedule, units)
    return json_response(schedule_view(row, units), status=201)


@routes.get("/api/maintenance/schedules/vehicle/{vehicleId}")
@documented(summary="List a vehicle's maintenance schedules, oldest first", query=UnitsQuery,
            responses={200: [MaintenanceSchedule]}, paged=True)
async def list_vehicle_schedules(request: web.Request) -> web.Response:
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    units = caller_units(request)
    page = page_query(request, SCHEDULE_ORDER)
    schedules = await use_cases.list_vehicle_schedules(request.app[POOL], current_user(request), vehicle_id, page)
    return paged_response(request, [schedule_view(row, units) for row in schedules.items], schedules, SCHEDULE_ORDER)


@routes.get("/api/maintenance/schedules/{id}")
@documented(summary="Get a maintenance schedule", query=UnitsQuery, responses={200: MaintenanceSchedule})
async def get_schedule(request: web.Request) -> web.Response:
    units = caller_units(request)
    row = await use_cases.get_schedule(request.app[POOL], current_user(request), path_uuid(request, "id", "Schedule"))
    return json_response(schedule_view(row, units))


@routes.put("/api/maintenance/schedules/{id}")
@documented(summary="Update a maintenance schedule", body=ScheduleUpdate, responses={200: MaintenanceSchedule})
async def update_schedule(request: web.Request) -> web.Response:
    schedule_id = path_uuid(request, "id", "Schedule")
    update = await parse_body(request, ScheduleUpdate)
    units = caller_units(request, update.units)
    row = await use_cases.update_schedule(
        request.app[POOL], request.app[CACHE], current_user(request), schedule_id, update, units
    )
    return json_response(schedule_view(row, units))


@routes.delete("/api/maintenance/schedules/{id}")
async def delete_schedule(request: web.Request) -> web.Response:
    schedule_id = path_uuid(request, "id", "Schedule")
    await use_cases.delete_schedule(request.app[POOL], request.app[CACHE], current_user(request), schedule_id)
    return web.Response(status=204)


# --- upcoming -----------------------------------------------------------------------------------


@routes.get("/api/maintenance/upcoming/{vehicleId}")
@documented(summary="A vehicle's schedules with their urgency, most urgent first", query=UpcomingQuery,
            responses={200: [UpcomingSchedule]}, paged=True)
async def upcoming(request: web.Request) -> web.Response:
    """Every schedule of the vehicle with urgency, trigger, days and distance until due and a
    projected due date, most urgent first. Cached per vehicle, unit and day unless the caller
    gives `currentMileage` (a one-off view)."""
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    query = parse_query(request, UpcomingQuery)
    page = page_query(request, UPCOMING_ORDER)
    settings = request.app[SETTINGS]
    view = await use_cases.upcoming_schedules(
        request.app[POOL], request.app[CACHE], current_user(request), vehicle_id,
        units=query.units,
        current_mileage=query.current_mileage,
        defaults=settings.default_thresholds(),
        window_days=settings.driving_rate_window_days,
        cache_seconds=settings.upcoming_cache_seconds,
        page=page,
    )
    return paged_response(request, view.items, view, UPCOMING_ORDER)
