"""The events the maintenance service consumes: the vehicles' lifecycle, into its projection, and
account deletions."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event
from shared.events.consumer import EventHandler
from shared.purges import ignoring_purged_users

from . import use_cases
from .domain.units import STORED

log = logging.getLogger("motovault.maintenance.consumers")


def odometer_of(data: dict) -> Decimal:
    # Odometers travel as JSON numbers; through str() a float's shortest form gives the exact tenth.
    return Decimal(str(data.get("odometerReading") or 0)).quantize(STORED)


def consumers(app: web.Application) -> dict[str, EventHandler]:
    """Built with the app: the use cases invalidate its cache, which exists once the app starts."""

    async def on_vehicle_upserted(conn: asyncpg.Connection, event: Event) -> None:
        vehicle_id = uuid.UUID(event.data["vehicleId"])
        odometer = odometer_of(event.data)
        observed_on = event.occurred_at.date()
        await use_cases.record_vehicle_seen(conn, app[CACHE], event.user_id, vehicle_id, odometer, observed_on,
                                            event.occurred_at)

    async def on_vehicle_deleted(conn: asyncpg.Connection, event: Event) -> None:
        vehicle_id = uuid.UUID(event.data["vehicleId"])
        records, schedules = await use_cases.forget_vehicle(conn, app[CACHE], event.user_id, vehicle_id)
        log.info("Vehicle %s deleted: removed %d records and %d schedules", vehicle_id, records, schedules)

    async def on_deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
        await use_cases.purge_user(conn, app[CACHE], event.data["userId"], event.data.get("deletionId"))

    return ignoring_purged_users({
        "account.deletion_requested.v1": on_deletion_requested,
        "vehicle.created.v1": on_vehicle_upserted,
        "vehicle.updated.v1": on_vehicle_upserted,
        "vehicle.deleted.v1": on_vehicle_deleted,
    })
