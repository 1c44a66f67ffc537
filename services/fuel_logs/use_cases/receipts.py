"""Receipts: one stored file per fill-up, uploaded and downloaded by presigned links."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from shared.cache import Cache
from shared.errors import NotFoundError
from shared.storage import DeletionSweeper, ObjectStore, PresignedUpload, schedule_deletion
from shared.transactions import Database, transaction

from .. import repository
from ..cache_keys import list_cache_keys
from .fill_ups import owned_fill_up, sweep_after_commit


class ReceiptLink(NamedTuple):
    url: str
    content_type: str


async def new_receipt_upload(
    db: Database, cache: Cache, store: ObjectStore, sweeper: DeletionSweeper, user_id: str, fuel_log_id: uuid.UUID,
    content_type: str, max_bytes: int, expires_in: int,
) -> PresignedUpload:
    """A browser POST form for a new receipt; a previous receipt is removed."""
    # Makes the bucket on first use, before a browser uploads into it; unavailable while storage is down.
    await store.ready()
    async with transaction(db) as conn:
        row = await owned_fill_up(conn, user_id, fuel_log_id, for_update=True)
        # A fresh key per upload: a cached download of the old receipt never shows the new one.
        key = f"fuel-logs/{row['vehicle_id']}/{row['id']}/receipt-{uuid.uuid4().hex}"
        await repository.set_receipt(conn, user_id, fuel_log_id, key, content_type)
        if row["receipt_key"]:
            await schedule_deletion(conn, row["receipt_key"])
            sweep_after_commit(sweeper)
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
    return store.presigned_upload(key, content_type, max_bytes, expires_in)


async def receipt_link(
    db: Database, store: ObjectStore, user_id: str, fuel_log_id: uuid.UUID, expires_in: int
) -> ReceiptLink:
    """A download link to the fill-up's receipt."""
    row = await owned_fill_up(db, user_id, fuel_log_id)
    if not row["receipt_key"]:
        raise NotFoundError("This fill-up has no receipt")
    url = await store.download_url(row["receipt_key"], expires_in)  # storage down: unavailable
    if url is None:
        raise NotFoundError("The receipt has not been uploaded yet")
    return ReceiptLink(url, row["receipt_content_type"])


async def remove_receipt(
    db: Database, cache: Cache, sweeper: DeletionSweeper, user_id: str, fuel_log_id: uuid.UUID
) -> None:
    async with transaction(db) as conn:
        row = await owned_fill_up(conn, user_id, fuel_log_id, for_update=True)
        if not row["receipt_key"]:
            raise NotFoundError("This fill-up has no receipt")
        await repository.set_receipt(conn, user_id, fuel_log_id, None, None)
        await schedule_deletion(conn, row["receipt_key"])
        sweep_after_commit(sweeper)
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
