"""The events notifications consumes for webhook subscriptions alone (fill-ups, maintenance
records): bound to its queue while a subscription names them (shared/events/demand.py)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from shared.events.demand import OnDemandBindings

from . import repository
from .domain.inputs import FOR_SUBSCRIBERS_ONLY, subscriber_only_keys

SUBSCRIBER_BINDINGS = web.AppKey("subscriber_bindings", OnDemandBindings)


def add_subscriber_bindings(app: web.Application) -> OnDemandBindings:
    async def wanted(conn: asyncpg.Connection) -> set[str]:
        return subscriber_only_keys(await repository.subscribed_event_types(conn, list(FOR_SUBSCRIBERS_ONLY.values())))

    app[SUBSCRIBER_BINDINGS] = OnDemandBindings("notifications subscriptions", FOR_SUBSCRIBERS_ONLY, wanted)
    return app[SUBSCRIBER_BINDINGS]
