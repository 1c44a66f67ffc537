"""The use cases of the vehicles service: one function each, called by the API and the consumers.

Each takes the database (the pool, or the consumer's connection whose transaction it joins),
then the resources it needs, then plain values. It owns its transaction, the events it enqueues
and the cache invalidation after the commit, and raises the errors of shared.errors.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, AsyncIterator, Mapping, NamedTuple

import asyncpg

from shared.cache import Cache
from shared.errors import ConflictError, NotFoundError
from shared.events import enqueue
from shared.export_stream import end_line, file_line, record_line, schema_line, snapshot
from shared.paging import Page, PageOf
from shared.purges import record_purge
from shared.storage import ObjectStore, PresignedUpload, schedule_deletion
from shared.transactions import Database, coalesce, connection, transaction

from . import cache_keys, events, repository
from .domain import export, files
from .domain.lists import DOCUMENT_ORDER, ODOMETER_LOG_ORDER, VEHICLE_ORDER
from .domain.odometer import (
    DELETABLE_SOURCES, INITIAL, MANUAL, ManualReadingInput, SourceReading, check_manual_reading, check_reading_date,
    conflict_details, not_deletable_message,
)
from .domain.vehicle import VehicleInput, apply_update, vehicle_view
from .domain.vin import offline_decode
from .vin_decoder import VinDecoder, VpicUnavailable

VEHICLE_NOT_FOUND = "Vehicle not found"
DUPLICATE_VIN = "You already have a vehicle with this VIN"
NO_IMAGE = "This vehicle has no image"
IMAGE_NOT_UPLOADED = "The image has not been uploaded yet"
DOCUMENT_NOT_FOUND = "Document not found"
READING_NOT_FOUND = "Odometer reading not found"
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

async def list_vehicles(db: Database, cache: Cache, user_id: str, page: Page | None = None) -> PageOf[dict]:
    """The user's live vehicles, newest first, as the API shows them: the whole list cached as
    shown; a page (keyset, shared/paging.py) read from the database, never from that cache."""

    async def load() -> list[dict]:
        async with connection(db) as conn:
            return [vehicle_view(row) for row in await repository.list_vehicles(conn, user_id)]

    if page is None:
        return PageOf(await cache.get_or_load(cache_keys.vehicle_list(user_id), cache_keys.LIST_TTL_SECONDS, load))
    async with connection(db) as conn:
        cut = VEHICLE_ORDER.trim(await repository.list_vehicles(conn, user_id, page), page)
    return PageOf([vehicle_view(row) for row in cut.items], cut.next_after)


async def get_vehicle(db: Database, user_id: str, vehicle_id: uuid.UUID) -> asyncpg.Record:
    async with connection(db) as conn:
        return await _owned_vehicle(conn, user_id, vehicle_id)


async def create_vehicle(db: Database, cache: Cache, user_id: str, vehicle: VehicleInput) -> asyncpg.Record:
    async with transaction(db) as conn:
        try:
            row = await repository.insert_vehicle(conn, user_id, vehicle.model_dump())
        except asyncpg.UniqueViolationError:
            raise ConflictError(DUPLICATE_VIN) from None
        if row["odometer_reading"] > 0:  # zero is no reading yet: the log starts empty
            await repository.insert_user_reading(conn, user_id, row["id"], source=INITIAL,
                                                 reading=row["odometer_reading"], read_on=_today(),
                                                 read_at=row["created_at"])
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
        if values["odometer_reading"] != current["odometer_reading"]:
            values["odometer_reading"] = await _set_odometer_by_hand(
                conn, user_id, vehicle_id, values["odometer_reading"])
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


# --- the odometer log: the vehicle's odometer is derived from it -------------------------------

def _today() -> date:
    return datetime.now(UTC).date()


async def _derive_odometers(
    conn: asyncpg.Connection, cache: Cache, vehicles: list[tuple[str, uuid.UUID]]
) -> list[asyncpg.Record]:
    """Set each vehicle's odometer (user id, vehicle id; the user's live vehicles only) to what its
    log says, in three statements however many; where that changes it, vehicle.updated
    (maintenance's reminders follow a raise; its projection still ignores a lowering, see
    docs/events.md). The vehicle rows it changed."""
    held = await repository.lock_vehicles_for_odometer(conn, vehicles)
    rows = await repository.set_derived_odometers(conn, held) if held else []
    if rows:
        await enqueue(conn, *(events.vehicle_updated(row) for row in rows))
        for row in rows:
            cache.invalidate_after_commit(row["user_id"], cache_keys.vehicle_list(row["user_id"]))
    return rows


async def _derive_odometer(
    conn: asyncpg.Connection, cache: Cache, user_id: str, vehicle_id: uuid.UUID
) -> asyncpg.Record | None:
    """One vehicle's: the row after a change, or None."""
    rows = await _derive_odometers(conn, cache, [(user_id, vehicle_id)])
    return rows[0] if rows else None


@dataclass
class _OdometerWork:
    """What a transaction's events do to odometers, done just before its commit: a consumer's
    batch writes its readings in one statement and derives the vehicles they changed together,
    each once, emitting at most one vehicle.updated for it."""

    cache: Cache
    # (user id, source kind, source id) -> (user id, vehicle id, reading, its event's time)
    readings: dict[tuple, tuple[str, uuid.UUID, SourceReading, datetime]] = field(default_factory=dict)
    derive: set[tuple[str, uuid.UUID]] = field(default_factory=set)  # (user id, vehicle id)

    def merged(self, other: _OdometerWork) -> _OdometerWork:
        for key, entry in other.readings.items():
            if key not in self.readings or self.readings[key][3] < entry[3]:  # a tie: the first, as the SQL
                self.readings[key] = entry
        self.derive |= other.derive
        return self

    async def do(self, conn: asyncpg.Connection) -> None:
        changed = await repository.upsert_source_readings(
            conn, [self.readings[key] for key in sorted(self.readings, key=str)]) if self.readings else []
        await _derive_odometers(conn, self.cache, sorted(self.derive.union(changed), key=str))


def _before_commit(work: _OdometerWork) -> None:
    coalesce("vehicles.odometer_work", work, _OdometerWork.merged, lambda conn, combined: combined.do(conn))


async def record_source_reading(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, reading: SourceReading, version: datetime
) -> None:
    """A fill-up's or maintenance record's reading (its created/updated event, `version` its time),
    written with the transaction's other readings just before it commits.

    Never refused: its own service accepted it. Keyed by the source's id, so a redelivered event
    changes nothing, an older one never overwrites a newer one, and a deleted source stays deleted.
    """
    async with transaction(db):
        entry = (user_id, vehicle_id, reading, version)
        _before_commit(_OdometerWork(cache, readings={(user_id, reading.kind, reading.source_id): entry}))


async def remove_source_reading(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, kind: str, source_id: uuid.UUID,
    version: datetime,
) -> None:
    """The fill-up or record was deleted: its reading leaves the log, and the odometer follows
    (deleting a mistyped fill-up fixes the odometer). A reading of it waiting for the commit finds
    its tombstone and adds nothing."""
    async with transaction(db) as conn:
        if await repository.remove_source_reading(conn, user_id, vehicle_id, kind=kind, source_id=source_id,
                                                  version=version):
            _before_commit(_OdometerWork(cache, derive={(user_id, vehicle_id)}))


async def odometer_log(
    db: Database, user_id: str, vehicle_id: uuid.UUID, page: Page | None = None
) -> PageOf[asyncpg.Record]:
    """The log, newest first; a page cut from the whole of it (one vehicle's readings are few, and
    its reading-less entries do not fit a keyset in SQL)."""
    async with connection(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
        return ODOMETER_LOG_ORDER.slice(await repository.list_readings(conn, user_id, vehicle_id), page)


async def add_manual_reading(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, manual: ManualReadingInput,
    *, max_daily_distance: int,
) -> asyncpg.Record:
    """A reading the user took. One that contradicts the log (lower than the reading before it,
    too far per day since it, higher than the one after it) is refused with that reading unless
    the caller confirms it; a confirmed lower reading (a replaced odometer) becomes current."""
    today = _today()
    check_reading_date(manual.date, today)
    on = manual.date or today
    async with transaction(db) as conn:
        if not await repository.lock_vehicle_for_odometer(conn, user_id, vehicle_id):
            raise NotFoundError(VEHICLE_NOT_FOUND)
        if not manual.confirm:
            previous, following = await repository.reading_neighbours(conn, vehicle_id, on)
            conflict = check_manual_reading(manual.reading, on, previous, following, max_daily_distance)
            if conflict is not None:
                raise ConflictError(conflict.message, details=conflict_details(conflict))
        row = await repository.insert_user_reading(
            conn, user_id, vehicle_id, source=MANUAL, reading=manual.reading, read_on=on,
            read_at=datetime.now(UTC) if manual.date is None else None, note=manual.note)
        await _derive_odometer(conn, cache, user_id, vehicle_id)
    return row


async def delete_manual_reading(
    db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID, reading_id: uuid.UUID
) -> None:
    """Remove a reading the user entered; a fill-up's or record's goes only with its source."""
    async with transaction(db) as conn:
        if not await repository.lock_vehicle_for_odometer(conn, user_id, vehicle_id):
            raise NotFoundError(VEHICLE_NOT_FOUND)
        row = await repository.get_reading(conn, user_id, vehicle_id, reading_id)
        if row is None:
            raise NotFoundError(READING_NOT_FOUND)
        if row["source"] not in DELETABLE_SOURCES:
            raise ConflictError(not_deletable_message(row))
        await repository.delete_reading(conn, reading_id)
        await _derive_odometer(conn, cache, user_id, vehicle_id)


async def _set_odometer_by_hand(conn: asyncpg.Connection, user_id: str, vehicle_id: uuid.UUID, reading: int) -> int:
    """PUT /api/vehicles/{id} with a new odometerReading (the old way to set it): a manual reading
    dated today that replaces today's other user-entered ones (it corrects them, e.g. a typo at
    creation) and needs no confirmation. The odometer is then derived as always; the new value."""
    today = _today()
    await repository.delete_user_readings_on(conn, user_id, vehicle_id, today, DELETABLE_SOURCES)
    await repository.insert_user_reading(conn, user_id, vehicle_id, source=MANUAL, reading=reading, read_on=today,
                                         read_at=datetime.now(UTC), note=None)
    return await repository.derived_odometer(conn, vehicle_id)


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


async def export_account(pool: asyncpg.Pool, store: ObjectStore, user_id: str) -> AsyncIterator[dict[str, Any]]:
    """The user's vehicles, documents and stored files as export lines (shared/export_stream.py),
    all from one snapshot, read with cursors so memory stays flat however large the account."""
    async with snapshot(pool) as conn:
        yield schema_line("vehicles", export.export_kinds())
        counts = {"vehicle": 0, "document": 0, "file": 0}
        async for row in repository.stream_vehicles(conn, user_id):
            counts["vehicle"] += 1
            yield record_line("vehicle", *export.vehicle_record(row))
        async for row in repository.stream_documents(conn, user_id):
            counts["document"] += 1
            yield record_line("document", *export.document_record(row))
        async for row in repository.stream_vehicles(conn, user_id):
            if row["image_key"]:
                counts["file"] += 1
                url = await store.internal_get_url(row["image_key"], export.FILE_URL_SECONDS)
                yield file_line(row["image_key"], export.image_file_path(row), url, row["image_content_type"],
                                "vehicle", str(row["id"]))
        async for row in repository.stream_documents(conn, user_id):
            counts["file"] += 1
            url = await store.internal_get_url(row["storage_key"], export.FILE_URL_SECONDS)
            yield file_line(row["storage_key"], export.document_file_path(row), url, row["content_type"],
                            "document", str(row["id"]))
        yield end_line(counts)


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


async def list_documents(
    db: Database, user_id: str, vehicle_id: uuid.UUID, page: Page | None = None
) -> PageOf[asyncpg.Record]:
    async with connection(db) as conn:
        await _owned_vehicle(conn, user_id, vehicle_id)
        return DOCUMENT_ORDER.trim(await repository.list_documents(conn, user_id, vehicle_id, page), page)


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
