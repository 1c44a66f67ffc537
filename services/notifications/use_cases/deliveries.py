"""Deliveries: one row per notification and channel, keyed so that a duplicate cause is a no-op;
the worker's claim and the outcome of each attempt (sent, retried with backoff, channel paused);
the user's delivery log and replays."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any

import asyncpg

from shared.errors import NotFoundError
from shared.events import Event
from shared.events.batch import batch_in_progress, for_batch_users
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import repository
from ..domain.lists import DELIVERY_ORDER
from ..domain.messages import Notification
from ..domain.timing import after_quiet_hours, backoff
from .common import Wake, now, wake_after_commit


async def notify_user(conn: asyncpg.Connection, user_id: str, notification: Notification, cause: str,
                      wake: Wake | None = None) -> int:
    """Queue the notification on each of the user's live channels, once per `cause` (what made
    it: a due crossing, a document reminder) and channel; held back during quiet hours. A step of
    the caller's transaction; how many deliveries were new."""
    channels = await repository.active_channels(conn, user_id)
    if not channels:
        return 0
    preferences = await repository.get_preferences(conn, user_id)
    not_before = now()
    if preferences is not None:
        not_before = after_quiet_hours(not_before, preferences["quiet_start"], preferences["quiet_end"],
                                       preferences["timezone"])
    created = 0
    for channel in channels:
        key = f"{cause}:{channel['id']}"
        if await repository.insert_delivery(conn, user_id, channel["id"], key, notification.kind,
                                            notification.to_json(), not_before):
            created += 1
    if created:
        wake_after_commit(wake)
    return created


# In a consumer batch's memo: user id -> their live subscriptions (shared.events.batch.for_batch_users).
SUBSCRIPTIONS = "notifications.subscriptions"


async def publish_to_subscribers(conn: asyncpg.Connection, event: Event, wake: Wake | None = None) -> int:
    """Queue the event for each of its owner's subscriptions to its type, once per event id."""
    if event.user_id is None:
        return 0
    live = await for_batch_users(SUBSCRIPTIONS, event.user_id, partial(repository.subscriptions_of, conn))
    subscriptions = [s for s in live if event.type in s["event_types"]]
    if not subscriptions:
        return 0
    created = 0
    body = {"type": event.type, "timestamp": event.occurred_at.isoformat(),
            "data": {"eventId": str(event.id), "version": event.version, **event.data}}
    for subscription in subscriptions:
        key = f"event:{event.id}:{subscription['id']}"
        if await repository.insert_delivery(conn, event.user_id, subscription["id"], key, "event", body, now()):
            created += 1
    if created:
        wake_after_commit(wake)
    return created


def subscriptions_changed(user_id: str) -> None:
    """The user's subscriptions changed in this transaction (a purge): a batch reads them again."""
    batch = batch_in_progress()
    if batch is not None:
        batch.memo.get(SUBSCRIPTIONS, {}).pop(user_id, None)


async def claim_deliveries(db: Database, limit: int, lease_seconds: float) -> list[dict[str, Any]]:
    async with transaction(db) as conn:
        return await repository.claim_deliveries(conn, limit, lease_seconds)


async def delivered(db: Database, delivery: Mapping[str, Any]) -> None:
    async with transaction(db) as conn:
        await repository.mark_sent(conn, delivery["id"], delivery["channel_id"])


async def delivery_failed(db: Database, delivery: Mapping[str, Any], reason: str, *, max_attempts: int,
                          base_seconds: float, max_seconds: float) -> str:
    """Record a failed attempt: retried after a backoff, or, once the channel has failed
    `max_attempts` times in a row, the channel is paused and the delivery failed. The status."""
    async with transaction(db) as conn:
        failures = await repository.count_failure(conn, delivery["channel_id"])
        attempts = delivery["attempts"] + 1
        if failures >= max_attempts:
            paused = f"paused after {failures} failed attempts in a row; last: {reason}"
            await repository.pause_channel(conn, delivery["channel_id"], paused)
            await repository.mark_failed_attempt(conn, delivery["id"], "failed", f"{reason}; channel {paused}", now())
            return "failed"
        delay = backoff(attempts, base_seconds, max_seconds)
        await repository.mark_failed_attempt(conn, delivery["id"], "retrying", reason,
                                             now() + timedelta(seconds=delay))
        return "retrying"


async def list_deliveries(db: Database, user_id: str, status: str | None, page: Page) -> PageOf[dict[str, Any]]:
    async with connection(db) as conn:
        return DELIVERY_ORDER.trim(await repository.list_deliveries(conn, user_id, status, page), page)


async def replay_delivery(db: Database, user_id: str, delivery_id: uuid.UUID, wake: Wake | None = None) -> dict[str, Any]:
    """Send a logged delivery again, as it was (same webhook-id, so receivers can deduplicate)."""
    async with transaction(db) as conn:
        row = await repository.requeue_delivery(conn, user_id, delivery_id)
        if row is None:
            raise NotFoundError("Delivery not found")
        wake_after_commit(wake)
    return row
