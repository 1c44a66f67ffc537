"""The user's channels (email, ntfy, webhook) and outbound webhook subscriptions: set up, turn
off and on (which resumes a paused one), remove, and send a test."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from shared.errors import InvalidInput, NotFoundError
from shared.events.demand import OnDemandBindings
from shared.paging import Page, PageOf
from shared.transactions import Database, connection, transaction

from .. import repository
from ..domain.addresses import RefusedAddress
from ..domain.inputs import (
    ChannelUpdate, EmailChannel, NtfyChannel, SubscriptionInput, WebhookChannel, subscriber_only_keys,
)
from ..domain.lists import CHANNEL_ORDER
from ..domain.messages import test_message
from .common import Wake, now, wake_after_commit

CHANNEL_NOT_FOUND = "Channel not found"
SUBSCRIPTION_NOT_FOUND = "Subscription not found"
# Checks a URL a user registers against the outgoing-request rule (outbound.resolve_and_check).
UrlCheck = Callable[[str], Awaitable[None]]


async def _reachable(url: str, check_url: UrlCheck) -> None:
    try:
        await check_url(url)
    except RefusedAddress as exc:
        raise InvalidInput.field("url", f"this URL cannot be called: {exc}") from None


async def create_channel(db: Database, user_id: str, channel: EmailChannel | NtfyChannel | WebhookChannel,
                         check_url: UrlCheck) -> asyncpg.Record:
    if isinstance(channel, EmailChannel):
        target, secret = channel.address, None
    else:
        target = str(channel.url)
        await _reachable(target, check_url)
        secret = channel.token if isinstance(channel, NtfyChannel) else channel.secret
    async with transaction(db) as conn:
        return await repository.insert_channel(conn, user_id, channel.kind, channel.name, target, secret)


async def create_subscription(db: Database, bindings: OnDemandBindings, user_id: str, body: SubscriptionInput,
                              check_url: UrlCheck) -> asyncpg.Record:
    """Stored once the events it names reach this service: with the broker away, refused (503)."""
    target = str(body.url)
    await _reachable(target, check_url)
    event_types = sorted(set(body.event_types))
    async with transaction(db) as conn:
        row = await repository.insert_channel(conn, user_id, "subscription", body.name, target, body.secret,
                                              event_types)
        await bindings.bind_before_commit(conn, subscriber_only_keys(event_types))
        return row


async def list_channels(db: Database, user_id: str, *, subscriptions: bool = False,
                        page: Page | None = None) -> PageOf[asyncpg.Record]:
    async with connection(db) as conn:
        return CHANNEL_ORDER.trim(await repository.list_channels(conn, user_id, subscriptions, page), page)


async def get_channel(db: Database, user_id: str, channel_id: uuid.UUID, *, subscriptions: bool = False) -> asyncpg.Record:
    async with connection(db) as conn:
        row = await repository.get_channel(conn, user_id, channel_id, subscriptions)
    if row is None:
        raise NotFoundError(SUBSCRIPTION_NOT_FOUND if subscriptions else CHANNEL_NOT_FOUND)
    return row


async def update_channel(db: Database, user_id: str, channel_id: uuid.UUID, update: ChannelUpdate,
                         wake: Wake | None = None, *, subscriptions: bool = False) -> asyncpg.Record:
    """Turning a channel on (again) resumes it if it was paused, and its waiting deliveries go."""
    async with transaction(db) as conn:
        row = await repository.get_channel(conn, user_id, channel_id, subscriptions)
        if row is None:
            raise NotFoundError(SUBSCRIPTION_NOT_FOUND if subscriptions else CHANNEL_NOT_FOUND)
        resume = update.enabled is True
        updated = await repository.update_channel(
            conn, user_id, channel_id, name=update.name or row["name"],
            enabled=row["enabled"] if update.enabled is None else update.enabled, resume=resume)
        if resume:
            wake_after_commit(wake)
    return updated


async def delete_channel(db: Database, user_id: str, channel_id: uuid.UUID) -> None:
    async with transaction(db) as conn:
        if not await repository.delete_channel(conn, user_id, channel_id, False):
            raise NotFoundError(CHANNEL_NOT_FOUND)


async def delete_subscription(db: Database, bindings: OnDemandBindings, user_id: str,
                              subscription_id: uuid.UUID) -> None:
    """Its events stay bound while another subscription names them."""
    async with transaction(db) as conn:
        if not await repository.delete_channel(conn, user_id, subscription_id, True):
            raise NotFoundError(SUBSCRIPTION_NOT_FOUND)
        bindings.settle_after_commit()


async def send_test(db: Database, user_id: str, channel_id: uuid.UUID, wake: Wake | None = None) -> dict:
    """Queue a test notification on the channel (even if off or paused: testing is how a user
    checks it before turning it back on); the delivery, to follow in the log."""
    async with transaction(db) as conn:
        channel = await repository.get_channel(conn, user_id, channel_id, False)
        if channel is None:
            raise NotFoundError(CHANNEL_NOT_FOUND)
        message = test_message(channel["name"])
        row = await repository.insert_delivery(conn, user_id, channel_id, f"test:{uuid.uuid4()}", message.kind,
                                               message.to_json(), now())
        wake_after_commit(wake)
    return row
