"""The user's account is being deleted: everything of theirs goes, in one transaction."""

from __future__ import annotations

import logging

from shared.cache import Cache
from shared.events import enqueue
from shared.purges import record_purge
from shared.transactions import Database, transaction

from .. import events, repository
from .common import invalidate_upcoming

log = logging.getLogger("motovault.maintenance.account")


async def purge_user(db: Database, cache: Cache, user_id: str, deletion_id: str | None) -> int:
    """Remove every record, schedule, reading and vehicle of the user and confirm with
    account.purged; no event per record. The vehicles' upcoming views and the edge's answers go
    stale after the commit. A redelivery finds nothing left and confirms again. How many vehicles
    the user had here."""
    async with transaction(db) as conn:
        vehicle_ids = await repository.purge_user(conn, user_id)
        await record_purge(conn, user_id)  # events of before this are stale from now on
        await enqueue(conn, events.account_purged(user_id, deletion_id))
        for vehicle_id in vehicle_ids:
            invalidate_upcoming(cache, user_id, vehicle_id)
        if not vehicle_ids:
            cache.invalidate_after_commit(user_id)  # the edge's answers, all the same
    log.info("Account deletion %s: maintenance of %d vehicles purged", deletion_id, len(vehicle_ids))
    return len(vehicle_ids)
