"""HTTP handlers of the maintenance service: parse, check ownership, call the rules, answer.

Distances go in and out in the caller's unit: `units=imperial` (miles, the default) or
`units=metric` (km), as a query parameter or a body field (the body wins).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.http.errors import BadRequest, NotFound
from shared.edge_cache import edge_cacheable
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.middleware import current_user
from shared.http.validation import parse_body, path_uuid, parse_query

from . import reminders, repository
from .domain.catalog import SUBTYPES, Category, canonical_subtypes
from .domain.inputs import RecordInput, RecordsQuery, RecordUpdate, ScheduleInput, ScheduleUpdate, UnitsQuery, UpcomingQuery
from .domain.units import Units, to_miles
from .domain.urgency import Thresholds
from .domain.views import record_view, schedule_view
from .settings import MaintenanceSettings

routes = web.RouteTableDef()
SETTINGS = web.AppKey("maintenance_settings", MaintenanceSettings)
# Records change only through this API and vehicle.deleted, both of which replace the user's edge
# version token. Schedules and the upcoming view are not cached at the edge: reading the upcoming
# view may announce a due schedule (lastNotifiedDueAt), and urgency moves with the calendar.
EDGE_CACHE_SECONDS = 300




def caller_units(request: web.Request, body_units: Units | None = None) -> Units:
    return body_units or parse_query(request, UnitsQuery).units


async def require_vehicle(conn, user_id: str, vehicle_id: uuid.UUID) -> None:
    if not await repository.owns_live_vehicle(conn, user_id, vehicle_id):
        raise NotFound("Vehicle not found")


# --- subtypes -----------------------------------------------------------------------------------


@routes.get("/api/maintenance/subtypes/{category}")
async def list_subtypes(request: web.Request) -> web.Response:
    category = request.match_info["category"]
    try:
        known = Category(category)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise BadRequest(
            "Invalid input", details=[{"field": "category", "message": f"must be one of {valid}", "type": "enum"}]
        ) from None
    return json_response({"category": known.value, "subtypes": list(SUBTYPES[known])})


# --- records ------------------------------------------------------------------------------------


@routes.post("/api/maintenance/records")
@documented(summary="Create a maintenance record", body=RecordInput)
async def create_record(request: web.Request) -> web.Response:
    user_id = current_user(request)
    record = await parse_body(request, RecordInput)
    units = caller_units(request, record.units)
    values = record.model_dump() | {
        "category": record.category.value,
        "odometer_reading": to_miles(record.odometer_reading, units),
    }
    async with request.app[POOL].acquire() as conn, conn.transaction():
        await require_vehicle(conn, user_id, record.vehicle_id)
        row = await reminders.record_work(conn, user_id, record.vehicle_id, values)
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, record.vehicle_id)
    return json_response(record_view(row, units), status=201)


@routes.get("/api/maintenance/records")
@documented(summary="List maintenance records", query=RecordsQuery)
async def list_records(request: web.Request) -> web.Response:
    user_id = current_user(request)
    query = parse_query(request, RecordsQuery)
    category = query.category.value if query.category else None
    async with request.app[POOL].acquire() as conn:
        if query.vehicle_id is not None:
            await require_vehicle(conn, user_id, query.vehicle_id)
        rows = await repository.list_records(conn, user_id, query.vehicle_id, category)
    return edge_cacheable(json_response([record_view(row, query.units) for row in rows]), EDGE_CACHE_SECONDS)


@routes.get("/api/maintenance/records/vehicle/{vehicleId}")
async def list_vehicle_records(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    units = caller_units(request)
    async with request.app[POOL].acquire() as conn:
        await require_vehicle(conn, user_id, vehicle_id)
        rows = await repository.list_records(conn, user_id, vehicle_id)
    return edge_cacheable(json_response([record_view(row, units) for row in rows]), EDGE_CACHE_SECONDS)


@routes.get("/api/maintenance/records/{id}")
async def get_record(request: web.Request) -> web.Response:
    units = caller_units(request)
    async with request.app[POOL].acquire() as conn:
        row = await repository.get_record(conn, current_user(request), path_uuid(request, "id", "Record"))
    if row is None:
        raise NotFound("Record not found")
    return edge_cacheable(json_response(record_view(row, units)), EDGE_CACHE_SECONDS)


@routes.put("/api/maintenance/records/{id}")
@documented(summary="Update a maintenance record", body=RecordUpdate)
async def update_record(request: web.Request) -> web.Response:
    """Partial update of the fields sent. Schedules are not rewound or re-advanced by edits: a
    schedule moves when work is recorded, and can be corrected with its own PUT."""
    user_id = current_user(request)
    record_id = path_uuid(request, "id", "Record")
    update = await parse_body(request, RecordUpdate)
    units = caller_units(request, update.units)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await repository.get_record(conn, user_id, record_id)
        if row is None:
            raise NotFound("Record not found")
        values = dict(row)
        for name in update.model_fields_set - {"units"}:
            values[name] = getattr(update, name)
        values["category"] = Category(values["category"]).value
        values["odometer_reading"] = (
            to_miles(update.odometer_reading, units) if "odometer_reading" in update.model_fields_set else row["odometer_reading"]
        )
        try:
            values["subtypes"] = canonical_subtypes(Category(values["category"]), list(values["subtypes"]))
        except ValueError as exc:
            raise BadRequest("Invalid input", details=[{"field": "subtypes", "message": str(exc), "type": "value_error"}]) from None
        updated = await repository.update_record(conn, user_id, record_id, values)
        # A raised reading can carry a schedule across its due point.
        await reminders.announce_due(conn, user_id, row["vehicle_id"], reminders.today())
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, row["vehicle_id"])
    return json_response(record_view(updated, units))


@routes.delete("/api/maintenance/records/{id}")
async def delete_record(request: web.Request) -> web.Response:
    user_id = current_user(request)
    async with request.app[POOL].acquire() as conn:
        vehicle_id = await repository.delete_record(conn, user_id, path_uuid(request, "id", "Record"))
    if vehicle_id is None:
        raise NotFound("Record not found")
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, vehicle_id)
    return web.Response(status=204)


# --- schedules ----------------------------------------------------------------------------------


@routes.post("/api/maintenance/schedules")
@documented(summary="Create a maintenance schedule", body=ScheduleInput)
async def create_schedule(request: web.Request) -> web.Response:
    user_id = current_user(request)
    schedule = await parse_body(request, ScheduleInput)
    units = caller_units(request, schedule.units)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        await require_vehicle(conn, user_id, schedule.vehicle_id)
        row = await reminders.create_schedule(conn, user_id, schedule, units)
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, schedule.vehicle_id)
    return json_response(schedule_view(row, units), status=201)


@routes.get("/api/maintenance/schedules/vehicle/{vehicleId}")
async def list_vehicle_schedules(request: web.Request) -> web.Response:
    user_id = current_user(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    units = caller_units(request)
    async with request.app[POOL].acquire() as conn:
        await require_vehicle(conn, user_id, vehicle_id)
        rows = await repository.list_schedules(conn, user_id, vehicle_id)
    return json_response([schedule_view(row, units) for row in rows])


@routes.get("/api/maintenance/schedules/{id}")
async def get_schedule(request: web.Request) -> web.Response:
    units = caller_units(request)
    async with request.app[POOL].acquire() as conn:
        row = await repository.get_schedule(conn, current_user(request), path_uuid(request, "id", "Schedule"))
    if row is None:
        raise NotFound("Schedule not found")
    return json_response(schedule_view(row, units))


@routes.put("/api/maintenance/schedules/{id}")
@documented(summary="Update a maintenance schedule", body=ScheduleUpdate)
async def update_schedule(request: web.Request) -> web.Response:
    user_id = current_user(request)
    schedule_id = path_uuid(request, "id", "Schedule")
    update = await parse_body(request, ScheduleUpdate)
    units = caller_units(request, update.units)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        row = await repository.get_schedule(conn, user_id, schedule_id, for_update=True)
        if row is None:
            raise NotFound("Schedule not found")
        updated = await reminders.update_schedule(conn, user_id, row, update, units)
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, row["vehicle_id"])
    return json_response(schedule_view(updated, units))


@routes.delete("/api/maintenance/schedules/{id}")
async def delete_schedule(request: web.Request) -> web.Response:
    user_id = current_user(request)
    async with request.app[POOL].acquire() as conn:
        vehicle_id = await repository.delete_schedule(conn, user_id, path_uuid(request, "id", "Schedule"))
    if vehicle_id is None:
        raise NotFound("Schedule not found")
    await reminders.invalidate_upcoming(request.app[CACHE], user_id, vehicle_id)
    return web.Response(status=204)


# --- upcoming -----------------------------------------------------------------------------------


@routes.get("/api/maintenance/upcoming/{vehicleId}")
async def upcoming(request: web.Request) -> web.Response:
    """Every schedule of the vehicle with urgency, trigger, days and distance until due and a
    projected due date, most urgent first. Cached per vehicle, unit and day unless the caller
    gives `currentMileage` (a one-off view)."""
    user_id = current_user(request)
    vehicle_id = path_uuid(request, "vehicleId", "Vehicle")
    query = parse_query(request, UpcomingQuery)
    settings = request.app[SETTINGS]
    on = reminders.today()
    pool = request.app[POOL]

    async def load() -> list[dict]:
        async with pool.acquire() as conn, conn.transaction():
            await require_vehicle(conn, user_id, vehicle_id)
            return await reminders.upcoming(
                conn, user_id, vehicle_id,
                on=on,
                units=query.units,
                current_mileage=to_miles(query.current_mileage, query.units),
                defaults=default_thresholds(settings),
                window_days=settings.driving_rate_window_days,
            )

    if query.current_mileage is not None:
        return json_response(await load())
    # Ownership first: a cached view must never answer another user (the key holds the user id,
    # but a deleted vehicle's entry could outlive it until invalidated).
    async with pool.acquire() as conn:
        await require_vehicle(conn, user_id, vehicle_id)
    key = reminders.upcoming_cache_key(user_id, vehicle_id, query.units, on)
    return json_response(await request.app[CACHE].get_or_load(key, settings.upcoming_cache_seconds, load))


def default_thresholds(settings: MaintenanceSettings) -> Thresholds:
    return Thresholds(
        very_urgent_days=settings.very_urgent_days,
        urgent_days=settings.urgent_days,
        very_urgent_distance=Decimal(settings.very_urgent_distance),
        urgent_distance=Decimal(settings.urgent_distance),
    )
