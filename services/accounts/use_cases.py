"""The use cases of the accounts service: request a deletion, read its status, count confirmations.

A deletion is a saga: the request commits the deletion row and account.deletion_requested.v1
together (outbox); each service purges the user from its own database on its own time, from its
own queue, and confirms with account.purged.v1; the deletion completes with the last expected one.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, NamedTuple

from shared.errors import NotFoundError
from shared.events import enqueue
from shared.transactions import Database, connection, transaction

from . import events, repository
from .domain.deletion import all_confirmed, deletion_status

NO_DELETION = "No deletion of this account was requested"
log = logging.getLogger("motovault.accounts")


class Requested(NamedTuple):
    status: dict[str, Any]
    started: bool  # False: a deletion was pending already, and this request changed nothing


async def request_deletion(db: Database, user_id: str, services: list[str]) -> Requested:
    """Start deleting the user's account, or, while a deletion is pending, answer that one.

    After a completed deletion a new request starts a new one: the user may have signed in and
    created data again since."""
    async with transaction(db) as conn:
        row = await repository.start_deletion(conn, user_id, services)
        if row is not None:
            await enqueue(conn, events.deletion_requested(row))
            log.info("Deletion %s of an account requested", row["id"])
            return Requested(deletion_status(row, {}), started=True)
        pending = await repository.pending_deletion(conn, user_id)
        return Requested(deletion_status(pending, await repository.confirmations(conn, pending["id"])), started=False)


async def deletion_progress(db: Database, user_id: str) -> dict[str, Any]:
    """The status of the user's latest deletion (pending or completed)."""
    async with connection(db) as conn:
        row = await repository.latest_deletion(conn, user_id)
        if row is None:
            raise NotFoundError(NO_DELETION)
        return deletion_status(row, await repository.confirmations(conn, row["id"]))


async def service_purged(db: Database, user_id: str, deletion_id: uuid.UUID | None, service: str) -> bool:
    """A service confirmed it holds nothing more of the user; True when that completed the deletion.

    Without a deletion id (a producer that does not send one) the user's pending deletion is meant.
    A repeated confirmation, or one of a service that is not expected, changes nothing."""
    async with transaction(db) as conn:
        if deletion_id is None:
            deletion = await repository.pending_deletion(conn, user_id, for_update=True)
        else:
            deletion = await repository.lock_deletion(conn, user_id, deletion_id)
        if deletion is None or deletion["completed_at"] is not None or service not in deletion["expected"]:
            log.info("Confirmation of %s for no pending deletion it belongs to; ignored", service)
            return False
        await repository.confirm(conn, deletion["id"], service)
        if not all_confirmed(deletion["expected"], await repository.confirmations(conn, deletion["id"])):
            return False
        await repository.complete(conn, deletion["id"])
        log.info("Deletion %s completed", deletion["id"])
        return True
