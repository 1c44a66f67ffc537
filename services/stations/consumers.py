"""What the stations service consumes: fill-ups, for the price paid at a station, and account
deletions.

The platform's consumer runs each handler in a transaction with the inbox (an exact redelivery
is skipped there); the use cases join it. They are also idempotent by fill-up id and safe under
reordering: each fill-up is one row, an older event of it never overwrites a newer one, and its
deletion is a tombstone.
"""

from __future__ import annotations

import logging

import asyncpg
from aiohttp import web

from shared.events import Event
from shared.events.consumer import EventHandler
from shared.purges import ignoring_purged_users

from . import use_cases
from .domain.prices import FillUpDeleted, FillUpPrice

log = logging.getLogger("motovault.stations.events")


def consumers(app: web.Application) -> dict[str, EventHandler]:
    # Nothing of the app is needed: prices are read fresh by every search, no cache holds them.
    return ignoring_purged_users({
        "fuel_log.created.v1": on_fill_up_recorded,
        "fuel_log.updated.v1": on_fill_up_recorded,
        "fuel_log.deleted.v1": on_fill_up_deleted,
        "account.deletion_requested.v1": on_deletion_requested,
    })


async def on_fill_up_recorded(conn: asyncpg.Connection, event: Event) -> None:
    """fuel_log.created.v1 and fuel_log.updated.v1 (the fill-up after the change)."""
    if not event.user_id:
        log.warning("Ignoring %s %s without a user id", event.routing_key, event.id)
        return
    # Malformed data raises: retried, then parked in the dead-letter queue for an operator.
    price = FillUpPrice.model_validate(event.data)
    await use_cases.record_price(conn, event.user_id, price, event.occurred_at)


async def on_fill_up_deleted(conn: asyncpg.Connection, event: Event) -> None:
    if not event.user_id:
        log.warning("Ignoring %s %s without a user id", event.routing_key, event.id)
        return
    deleted = FillUpDeleted.model_validate(event.data)
    await use_cases.forget_fill_up(conn, event.user_id, deleted.fuel_log_id, event.occurred_at)


async def on_deletion_requested(conn: asyncpg.Connection, event: Event) -> None:
    await use_cases.purge_user(conn, event.data["userId"], event.data.get("deletionId"))
