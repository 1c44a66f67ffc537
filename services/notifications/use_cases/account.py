"""The user's account is being deleted: everything of theirs goes, in one transaction."""

from __future__ import annotations

from shared.events import enqueue
from shared.events.demand import OnDemandBindings
from shared.purges import record_purge
from shared.transactions import Database, transaction

from .. import events, repository
from .deliveries import subscriptions_changed


async def purge_user(db: Database, bindings: OnDemandBindings, user_id: str, deletion_id: str | None) -> None:
    """Remove the user's channels, subscriptions, deliveries (pending ones are never sent),
    preferences and projections, and confirm with account.purged. Nothing of theirs is cached.
    A redelivery finds nothing left and confirms again."""
    async with transaction(db) as conn:
        await repository.purge_user(conn, user_id)
        subscriptions_changed(user_id)
        bindings.settle_after_commit()  # their events stay bound while another user's subscriptions name them
        await record_purge(conn, user_id)  # events of before this are stale from now on
        await enqueue(conn, events.account_purged(user_id, deletion_id))
