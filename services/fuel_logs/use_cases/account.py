"""The user's account is being deleted: everything of theirs goes, in one transaction."""

from __future__ import annotations

import logging

from shared.cache import Cache
from shared.events import enqueue
from shared.purges import record_purge
from shared.storage import schedule_deletion
from shared.transactions import Database, transaction

from .. import events, repository
from ..cache_keys import list_cache_keys

log = logging.getLogger("motovault.fuel_logs.account")


async def purge_user(db: Database, cache: Cache, user_id: str, deletion_id: str | None) -> int:
    """Remove every fill-up (and the vehicle projection) of the user, queue their receipts for
    removal, and confirm with account.purged. No fuel_log.deleted per fill-up: stations purges
    the user's prices itself. A redelivery finds nothing left and confirms again. How many
    receipts were queued."""
    async with transaction(db) as conn:
        receipts = await repository.purge_user(conn, user_id)
        await record_purge(conn, user_id)  # events of before this are stale from now on
        await schedule_deletion(conn, *receipts)
        await enqueue(conn, events.account_purged(user_id, deletion_id))
        cache.invalidate_after_commit(user_id, *list_cache_keys(user_id))
    log.info("Account deletion %s: fill-ups purged, %d receipts queued", deletion_id, len(receipts))
    return len(receipts)
