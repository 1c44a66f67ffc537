"""What the maintenance service consumes (vehicle events, into a projection) and emits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event, new_event
from shared.events.consumer import EventHandler
from shared.transactions import after_commit

from . import reminders, repository
from .domain.units import STORED, event_miles
from .domain.urgency import Assessment

log = logging.getLogger("motovault.maintenance.events")
PRODUCER = "maintenance"


def record_created(row: Mapping) -> Event:
    data = {
        "recordId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "date": row["date"].isoformat(),
        "odometerReading": event_miles(row["odometer_reading"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "cost": None if row["cost"] is None else str(row["cost"]),
    }
    return new_event("maintenance.record_created", data, producer=PRODUCER, user_id=row["user_id"])


def schedule_due(row: Mapping, assessment: Assessment) -> Event:
    data = {
        "scheduleId": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "category": row["category"],
        "subtypes": list(row["subtypes"]),
        "dueDate": None if row["next_due_date"] is None else row["next_due_date"].isoformat(),
        "dueOdometer": event_miles(row["next_due_odometer"]),
        "trigger": assessment.trigger,
        "urgency": assessment.urgency.value,
    }
    return new_event("maintenance.schedule_due", data, producer=PRODUCER, user_id=row["user_id"])


def _odometer(data: dict) -> Decimal:
    # Odometers travel as JSON numbers; through str() a float's shortest form gives the exact tenth.
    return Decimal(str(data.get("odometerReading") or 0)).quantize(STORED)


def handlers(app: web.Application) -> dict[str, EventHandler]:
    """The consumed events; built with the app because invalidating the cache needs its Redis."""

    def invalidate_after_commit(user_id: str, vehicle_id: uuid.UUID) -> None:
        async def invalidate() -> None:
            await reminders.invalidate_upcoming(app[CACHE], user_id, vehicle_id)

        after_commit(invalidate)

    async def on_vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
        vehicle_id = uuid.UUID(event.data["vehicleId"])
        odometer = _odometer(event.data)
        if not await repository.upsert_vehicle(conn, vehicle_id, event.user_id, odometer):
            log.info("Ignoring %s for deleted vehicle %s", event.routing_key, vehicle_id)
            return
        if odometer > 0:
            await repository.add_odometer_reading(conn, vehicle_id, event.user_id, event.occurred_at.date(), odometer)
        # A higher odometer can carry a schedule across its due point: announce it in this
        # transaction, so a redelivered event (inbox) can never announce it twice.
        await reminders.announce_due(conn, event.user_id, vehicle_id, reminders.today())
        invalidate_after_commit(event.user_id, vehicle_id)

    async def on_vehicle_deleted(conn: asyncpg.Connection, event: Event) -> None:
        vehicle_id = uuid.UUID(event.data["vehicleId"])
        records, schedules = await repository.delete_vehicle(conn, vehicle_id, event.user_id)
        log.info("Vehicle %s deleted: removed %d records and %d schedules", vehicle_id, records, schedules)
        invalidate_after_commit(event.user_id, vehicle_id)

    return {
        "vehicle.created.v1": on_vehicle_upserted,
        "vehicle.updated.v1": on_vehicle_upserted,
        "vehicle.deleted.v1": on_vehicle_deleted,
    }
