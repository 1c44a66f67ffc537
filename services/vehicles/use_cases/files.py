"""Use cases of a vehicle's stored files: its image and its documents, uploaded straight to storage.

Uploads and downloads go between the browser and object storage through presigned URLs; the
service records what is stored where, and queues replaced or removed files for the sweeper.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

import asyncpg

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.storage import ObjectStore, PresignedUpload, schedule_deletion
from shared.transactions import Database, transaction

from .. import cache_keys, repository
from ..domain import files
from .common import owned_vehicle, reading

NO_IMAGE = "This vehicle has no image"
IMAGE_NOT_UPLOADED = "The image has not been uploaded yet"
DOCUMENT_NOT_FOUND = "Document not found"


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
    async with reading(db) as conn:
        await owned_vehicle(conn, user_id, vehicle_id)
    await store.ensure_bucket()  # StorageUnavailable while storage is down


async def start_image_upload(
    db: Database, cache: Cache, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, content_type: str,
    *, max_bytes: int, url_ttl: int,
) -> PresignedUpload:
    """Point the vehicle at a new image key (the old file goes) and sign the browser's upload to it."""
    await _ready_for_upload(db, store, user_id, vehicle_id)
    key = files.image_key(vehicle_id, content_type)
    async with transaction(db) as conn:
        current = await owned_vehicle(conn, user_id, vehicle_id, for_update=True)
        if current["image_key"]:
            await schedule_deletion(conn, current["image_key"])  # replaced by the new upload
        await repository.set_image(conn, user_id, vehicle_id, key, content_type)
        cache.invalidate_after_commit(user_id, cache_keys.vehicle_list(user_id))
    return store.presigned_upload(key, content_type, max_bytes, url_ttl)


async def image_download_url(
    db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, *, url_ttl: int
) -> str:
    async with reading(db) as conn:
        vehicle = await owned_vehicle(conn, user_id, vehicle_id)
    if not vehicle["image_key"]:
        raise NotFoundError(NO_IMAGE)
    url = await store.download_url(vehicle["image_key"], url_ttl)  # StorageUnavailable while storage is down
    if url is None:
        raise NotFoundError(IMAGE_NOT_UPLOADED)
    return url


async def delete_image(db: Database, cache: Cache, user_id: str, vehicle_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        vehicle = await owned_vehicle(conn, user_id, vehicle_id, for_update=True)
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
        await owned_vehicle(conn, user_id, vehicle_id, for_update=True)  # not deleted meanwhile
        row = await repository.insert_document(
            conn, user_id, vehicle_id, document_id, storage_key=key, **document.model_dump())
    return NewDocument(row, store.presigned_upload(key, document.content_type, max_bytes, url_ttl))


async def list_documents(db: Database, user_id: str, vehicle_id: uuid.UUID) -> list[asyncpg.Record]:
    async with reading(db) as conn:
        await owned_vehicle(conn, user_id, vehicle_id)
        return await repository.list_documents(conn, user_id, vehicle_id)


async def get_document(
    db: Database, store: ObjectStore, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID, *, url_ttl: int
) -> DocumentDownload:
    """The document and a link to download its file (which works once the file has been uploaded)."""
    async with reading(db) as conn:
        await owned_vehicle(conn, user_id, vehicle_id)
        row = await repository.get_document(conn, user_id, vehicle_id, document_id)
    if row is None:
        raise NotFoundError(DOCUMENT_NOT_FOUND)
    # Signing needs no call to storage; made off the event loop, the clients cost none either.
    await store.load_clients()
    return DocumentDownload(row, store.presigned_get(row["storage_key"], url_ttl))


async def delete_document(db: Database, user_id: str, vehicle_id: uuid.UUID, document_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        await owned_vehicle(conn, user_id, vehicle_id)
        key = await repository.delete_document(conn, user_id, vehicle_id, document_id)
        if key is None:
            raise NotFoundError(DOCUMENT_NOT_FOUND)
        await schedule_deletion(conn, key)
