"""The events notifications consumes for webhook subscriptions alone (fill-ups, maintenance
records): bound to its queue while a subscription names them (shared/events/demand.py)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from shared.events.demand import OnDemandBindings

from . import repository
from .domain.inputs import FOR_SUBSCRIBERS_ONLY

SUBSCRIBER_BINDINGS = web.AppKey("subscriber_bindings", OnDemandBindings)


def add_subscriber_bindings(app: web.Application) -> OnDemandBindings:
    async def wanted(conn: asyncpg.Connection) -> set[str]:
        named = await repository.subscribed_event_types(conn, list(FOR_SUBSCRIBERS_ONLY.values()))
        return {key for key, event_type in FOR_SUBSCRIBERS_ONLY.items() if event_type in named}

    app[SUBSCRIBER_BINDINGS] = OnDemandBindings("notifications subscriptions", FOR_SUBSCRIBERS_ONLY, wanted)
    return app[SUBSCRIBER_BINDINGS]
