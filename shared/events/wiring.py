"""Attach the event backbone to a service's app: broker connection, outbox relay, consumer."""

from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web

from ..db import POOL
from ..http.app import METRICS_REGISTRY, add_readiness_check
from ..settings import BackedServiceSettings
from .broker import Broker
from .consumer import Consumer, EventHandler
from .demand import OnDemandBindings
from .inbox_sweeper import InboxSweeper
from .relay import OutboxRelay

BROKER = web.AppKey("broker", Broker)


def add_events(
    app: web.Application,
    settings: BackedServiceSettings,
    service: str,
    handlers: dict[str, EventHandler] | None = None,
    on_demand: OnDemandBindings | None = None,
) -> None:
    """Call after add_database: the relay and the consumer need the pool, and stop before it closes.
    `on_demand`: those of the handlers' routing keys bound only while wanted (demand.py)."""

    async def events_context(app: web.Application) -> AsyncIterator[None]:
        broker = Broker(
            settings.amqp_url,
            settings.events_exchange,
            connection_name=service,
            publish_timeout=settings.publish_timeout,
        )
        consumer = sweeper = None
        if handlers:
            consumer = Consumer(
                broker, app[POOL], service, handlers,
                registry=app[METRICS_REGISTRY],
                retry_delays_ms=settings.retry_delays_ms,
                prefetch=settings.consumer_prefetch,
                drain_timeout=settings.shutdown_timeout,
                on_demand=on_demand,
            )
            sweeper = InboxSweeper(app[POOL], registry=app[METRICS_REGISTRY],
                                   retention_hours=settings.inbox_retention_hours,
                                   interval=settings.inbox_sweep_interval)
        relay = OutboxRelay(
            app[POOL], broker,
            registry=app[METRICS_REGISTRY],
            poll_interval=settings.outbox_poll_interval,
            max_backoff=settings.outbox_max_backoff,
        )
        app[BROKER] = broker
        broker.start()
        relay.start()
        if sweeper is not None:
            sweeper.start()
        yield
        if consumer is not None:
            await consumer.stop()
        if sweeper is not None:
            await sweeper.stop()
        await relay.stop()
        await broker.close()

    app.cleanup_ctx.append(events_context)
    add_readiness_check(app, "broker", lambda: app[BROKER].ping())
