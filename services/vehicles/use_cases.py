"""The use cases of the vehicles service: one function each, called by the API and the consumers.

Each takes the database (the pool, or the consumer's connection whose transaction it joins),
then the resources it needs, then plain values. It owns its transaction, the events it enqueues
and the cache invalidation after the commit, and raises the errors of shared.errors.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Mapping, NamedTuple

import asyncpg

from shared.cache import Cache
from shared.errors import ConflictError, NotFoundError
from shared.events import enqueue
from shared.purges import record_purge
from shared.storage import ObjectStore, PresignedUpload, schedule_deletion
from shared.transactions import Database, coalesce, connection, transaction

from . import cache_keys, events, repository
from .domain import files
from .domain.vehicle import VehicleInput, apply_update, vehicle_view
from .domain.vin import offline_decode
from .vin_decoder import VinDecoder, VpicUnavailable

VEHICLE_NOT_FOUND = "Vehicle not found"
DUPLICATE_VIN = "You already have a vehicle with this VIN"
NO_IMAGE = "This vehicle has no image"
IMAGE_NOT_UPLOADED = "The image has not been uploaded yet"
DOCUMENT_NOT_FOUND = "Document not found"
log = logging.getLogger("motovault.vehicles.vpic")


async def _owned_vehicle(
    conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, *, for_update: bool = False
) -> asyncpg.Record:
    """The user's live vehicle; someone else's or a deleted one is not found, like a missing one."""
    row = await repository.get_vehicle(conn, user_id, vehicle_id, for_update=for_update)
    if row is None:
        raise NotFoundError(VEHICLE_NOT_FOUND)
    return row


# --- vehicles ---------------------------------------------------------------------------------

async def list_vehicles(db: Database, cache: Cache, user_id: str) -> list[dict]:
    """The user's live vehicles, newest first, as the API shows them (cached as shown)."""

    async def load() -> list[dict]:
        async with connection(db) as conn:
            return [vehicle_view(row) for row in await repository.list_vehicles(conn, user_id)]

    return await cache.get_or_load(cache_keys.vehicle_list(user_id), cache_keys.LIST_TTL_SECONDS, load)


async def get_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record:
    async with connection(db) as conn:
        return await _owned_vehicle(conn, user_id, vehicle_id)


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
        current = await _owned_vehicle(conn, user_id, vehicle_id, for_update=True)
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
        current = await _owned_vehicle(conn, user_id, vehicle_id, for_update=True)
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
) -> None:
    """A reading from another service raises the vehicle's odometer, never lowers it.

    The update only matches when the reading is higher, so a redelivered or an older event
    changes nothing, and any order of arrival ends at the highest reading. The readings of one
    vehicle in one transaction (a batch of events) are combined: one raise to the highest, one
    vehicle.updated.
    """

    async def raise_to(conn: asyncpg.Connection, highest: int) -> None:
        row = await repository.raise_odometer(conn, user_id, vehicle_id, highest)
        if row is None:
            return  # not higher, or no live vehicle of that user
        await enqueue(conn, events.vehicle_updated(row))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))

    async with transaction(db):
        coalesce(("odometer", user_id, vehicle_id), reading, max, raise_to)


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


# --- stored files: the browser uploads and downloads them through presigned URLs -----------

class NewDocument(NamedTuple):
    row: asyncpg.Record
    upload: PresignedUpload


class DocumentDownload(NamedTuple):
    row: asyncpg.Record
    url: str


async def _ready_for_upload(db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID) -> None:
    """The user's vehicle exists and storage is reachable, before an upload to it is signed.

    The vehicle first: not yours is not found even while storage is down. Then storage itself:
    presigning is offline, so it alone proves nothing.
    """
    async with connection(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
    await store.ensure_bucket()  # StorageUnavailable while storage is down


async def start_image_upload(
    db: Database, cache: Cache, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, content_type: str,
    *, max_bytes: int, url_ttl: int,
) -> PresignedUpload:
    """Point the vehicle at a new image key (the old file goes) and sign the browser's upload to it."""
    await _ready_for_upload(db, store, user_id, vehicle_id)
    key = files.image_key(vehicle_id, content_type)
    async with transaction(db) as conn:
        current = await _owned_vehicle(conn, user_id, vehicle_id, for_update=True)
        if current["image_key"]:
            await schedule_deletion(conn, current["image_key"])  # replaced by the new upload
        await repository.set_image(conn, user_id, vehicle_id, key, content_type)
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return store.presigned_upload(key, content_type, max_bytes, url_ttl)


async def image_download_url(
    db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, *, url_ttl: int
) -> str:
    async with connection(db) as conn:
        vehicle = await _owned_vehicle(conn, user_id, vehicle_id)
    if not vehicle["image_key"]:
        raise NotFoundError(NO_IMAGE)
    url = await store.download_url(vehicle["image_key"], url_ttl)  # StorageUnavailable while storage is down
    if url is None:
        raise NotFoundError(IMAGE_NOT_UPLOADED)
    return url


async def delete_image(db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        vehicle = await _owned_vehicle(conn, user_id, vehicle_id, for_update=True)
        if not vehicle["image_key"]:
            raise NotFoundError(NO_IMAGE)
        await repository.set_image(conn, user_id, vehicle_id, None, None)
        await schedule_deletion(conn, vehicle["image_key"])
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))


async def add_document(
    db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, document: files.DocumentInput,
    *, max_bytes: int, url_ttl: int,
) -> NewDocument:
    """Record the document and sign the browser's upload of its file."""
    await _ready_for_upload(db, store, user_id, vehicle_id)
    document_id = uuid.uuid4()
    key = files.document_key(vehicle_id, document_id, document.content_type)
    async with transaction(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id, for_update=True)  # not deleted meanwhile
        row = await repository.insert_document(
            conn, user_id, vehicle_id, document_id, storage_key=key, **document.model_dump())
        await enqueue(conn, events.document_added(row))
    return NewDocument(row, store.presigned_upload(key, document.content_type, max_bytes, url_ttl))


async def list_documents(db: Database, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    async with connection(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
        return await repository.list_documents(conn, user_id, vehicle_id)


async def get_document(
    db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID, *, url_ttl: int
) -> DocumentDownload:
    """The document and a link to download its file (which works once the file has been uploaded)."""
    async with connection(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
        row = await repository.get_document(conn, user_id, vehicle_id, document_id)
    if row is None:
        raise NotFoundError(DOCUMENT_NOT_FOUND)
    # Signing needs no call to storage; made off the event loop, the clients cost none either.
    await store.load_clients()
    return DocumentDownload(row, store.presigned_get(row["storage_key"], url_ttl))


async def delete_document(db: Database, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
        key = await repository.delete_document(conn, user_id, vehicle_id, document_id)
        if key is None:
            raise NotFoundError(DOCUMENT_NOT_FOUND)
        await schedule_deletion(conn, key)
        await enqueue(conn, events.document_removed(user_id, vehicle_id, document_id))


# --- account deletion ------------------------------------------------------------------------

async def purge_user(db: Database, cache: Cache, user_id: str, deletion_id: str | None) -> int:
    """The user's account is being deleted: remove all of their vehicles and documents, queue their
    files for removal, and confirm with account.purged. One event, no vehicle.deleted per vehicle:
    every other service purges the user itself. A redelivery finds nothing left and confirms again.
    How many stored files were queued."""
    async with transaction(db) as conn:
        keys = await repository.purge_user(conn, user_id)
        await record_purge(conn, user_id)  # events of before this are stale from now on
        await schedule_deletion(conn, *keys)
        await enqueue(conn, events.account_purged(user_id, deletion_id))
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return len(keys)
