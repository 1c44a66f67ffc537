"""Use cases of the vehicles themselves: the user's list and edits, VIN decoding, odometer readings."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Mapping

import asyncpg

from shared.cache import Cache
from shared.errors import ConflictError
from shared.events import enqueue
from shared.storage import schedule_deletion
from shared.transactions import Database, transaction

from .. import cache_keys, events, repository
from ..domain.vehicle import VehicleInput, apply_update, vehicle_view
from ..domain.vin import offline_decode
from ..vin_decoder import VinDecoder, VpicUnavailable
from .common import owned_vehicle, reading

DUPLICATE_VIN = "You already have a vehicle with this VIN"
log = logging.getLogger("motovault.vehicles.vpic")


async def list_vehicles(db: Database, cache: Cache, user_id: str) -> list[dict]:
    """The user's live vehicles, newest first, as the API shows them (cached as shown)."""

    async def load() -> list[dict]:
        async with reading(db) as conn:
            return [vehicle_view(row) for row in await repository.list_vehicles(conn, user_id)]

    return await cache.get_or_load(cache_keys.vehicle_list(user_id), cache_keys.LIST_TTL_SECONDS, load)


async def get_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record:
    async with reading(db) as conn:
        return await owned_vehicle(conn, user_id, vehicle_id)


async def create_vehicle(db: Database, cache: Cache, user_id: str, vehicle: VehicleInput) -> asyncpg.Record:
    async with transaction(db) as conn:
        try:
            row = await repository.insert_vehicle(conn, user_id, vehicle.model_dump())
        except asyncpg.UniqueViolationError:
            raise ConflictError(DUPLICATE_VIN) from None
        await enqueue(conn, events.vehicle_created(row))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return row


async def update_vehicle(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, changes: Mapping[str, Any]
) -> asyncpg.Record:
    """Apply the fields sent (a partial update); nothing sent changes nothing and emits nothing."""
    async with transaction(db) as conn:
        current = await owned_vehicle(conn, user_id, vehicle_id, for_update=True)
        if not changes:
            return current
        values = apply_update(dict(current), dict(changes))
        try:
            row = await repository.update_vehicle(conn, user_id, vehicle_id, values)
        except asyncpg.UniqueViolationError:
            raise ConflictError(DUPLICATE_VIN) from None
        await enqueue(conn, events.vehicle_updated(row))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return row


async def delete_vehicle(db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> None:
    """Soft-delete the vehicle (its VIN is free again) and drop its documents and stored files."""
    async with transaction(db) as conn:
        current = await owned_vehicle(conn, user_id, vehicle_id, for_update=True)
        row = await repository.soft_delete_vehicle(conn, user_id, vehicle_id)
        stored = await repository.delete_vehicle_documents(conn, user_id, vehicle_id)
        if current["image_key"]:
            stored.append(current["image_key"])
        # The sweeper removes the files once this commits; a storage outage only delays it.
        await schedule_deletion(conn, *stored)
        await enqueue(conn, events.vehicle_deleted(row))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))


async def record_odometer_reading(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, reading: int
) -> asyncpg.Record | None:
    """A reading from another service raises the vehicle's odometer, never lowers it.

    The update only matches when the reading is higher, so a redelivered or an older event
    changes nothing, and any order of arrival ends at the highest reading. The vehicle after the
    raise, or None when nothing changed (not higher, or no live vehicle of that user).
    """
    async with transaction(db) as conn:
        row = await repository.raise_odometer(conn, user_id, vehicle_id, reading)
        if row is None:
            return None
        await enqueue(conn, events.vehicle_updated(row))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return row


async def decode_vin(cache: Cache, decoder: VinDecoder, vin: str) -> dict:
    """What the VIN decodes to: vPIC's answer (cached), or, vPIC unusable, the VIN's own (not cached).

    A decode never fails; an offline answer is not cached, so the next call asks vPIC again.
    """
    try:
        # A VpicUnavailable raised by the loader leaves nothing in the cache.
        return await cache.get_or_load(cache_keys.vin_decode(vin), cache_keys.DECODE_TTL_SECONDS,
                                       lambda: decoder.decode(vin))
    except VpicUnavailable as exc:
        # The VIN is deliberately not logged in full (it identifies a vehicle).
        log.warning("vPIC unavailable, decoding %s*** offline: %s", vin[:8], exc)
        return offline_decode(vin)
