"""Events the vehicles service emits, and the ones it consumes (odometer readings of other services)."""

from __future__ import annotations

import logging
import uuid
from typing import Awaitable, Callable

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.events import Event, enqueue, new_event
from shared.transactions import after_commit

from . import repository
from .domain.odometer import reading_from_event
from .domain.vehicle import vehicle_view

PRODUCER = "vehicles"
log = logging.getLogger("motovault.vehicles.events")


def vehicle_created(vehicle: dict) -> Event:
    return new_event("vehicle.created", _snapshot(vehicle), producer=PRODUCER, user_id=vehicle["userId"])


def vehicle_updated(vehicle: dict) -> Event:
    return new_event("vehicle.updated", _snapshot(vehicle), producer=PRODUCER, user_id=vehicle["userId"])


def vehicle_deleted(vehicle: dict) -> Event:
    return new_event(
        "vehicle.deleted", {"vehicleId": vehicle["id"]}, producer=PRODUCER, user_id=vehicle["userId"]
    )


def _snapshot(vehicle: dict) -> dict:
    """The payload of vehicle.created/updated in docs/events.md."""
    return {
        "vehicleId": vehicle["id"],
        "vin": vehicle["vin"],
        "year": vehicle["year"],
        "make": vehicle["make"],
        "model": vehicle["model"],
        "fuelType": vehicle["fuelType"],
        "nickname": vehicle["nickname"],
        "odometerReading": vehicle["odometerReading"],
    }


def list_cache_key(user_id: str) -> str:
    return f"vehicles:list:{user_id}"


OnRaised = Callable[[str], Awaitable[object]]


async def raise_odometer_from(conn: asyncpg.Connection, event: Event, on_raised: OnRaised | None = None) -> None:
    """A reading from another service raises the vehicle's odometer, never lowers it.

    The update only matches when the reading is higher, so a redelivered or an older event
    changes nothing, and any order of arrival ends at the highest reading.
    """
    reading = reading_from_event(event.data.get("odometerReading"))
    try:
        vehicle_id = uuid.UUID(str(event.data.get("vehicleId")))
    except ValueError:
        log.warning("%s %s names no vehicle id; ignored", event.routing_key, event.id)
        return
    if reading is None or event.user_id is None:
        return
    row = await repository.raise_odometer(conn, event.user_id, vehicle_id, reading)
    if row is None:
        return  # not higher, or no live vehicle of that user
    await enqueue(conn, vehicle_updated(vehicle_view(row)))
    if on_raised is not None:
        user_id = event.user_id
        after_commit(lambda: on_raised(user_id))


def handlers(app: web.Application) -> dict:
    """The consumed events; their cache invalidation needs the app's Redis, hence a factory."""

    async def invalidate_list(user_id: str) -> None:
        await app[CACHE].user_changed(user_id, list_cache_key(user_id))

    async def on_reading(conn: asyncpg.Connection, event: Event) -> None:
        await raise_odometer_from(conn, event, invalidate_list)

    return {
        "fuel_log.created.v1": on_reading,
        "maintenance.record_created.v1": on_reading,
    }
