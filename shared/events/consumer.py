"""Idempotent event consumption with retries and a dead-letter queue.

A handler runs inside a database transaction that also records the event id in `inbox`; a
redelivered event finds its id there and is acknowledged with no second effect. The message is
acknowledged only after the commit. A failing handler is retried after each delay of
`retry_delays_ms` (the message waits in a TTL queue), then parked in the dead-letter queue with
its payload intact and the last error in a header. A body that is not a valid envelope is parked
at once. The consumer itself keeps running in every case.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractIncomingMessage, AbstractQueue
from prometheus_client import CollectorRegistry, Counter

from ..logs import request_id_var
from ..outage import DATABASE_UNAVAILABLE
from ..transactions import transaction
from .broker import Broker
from .envelope import Event, InvalidEvent
from .topology import dead_queue_name, declare_consumer_topology, retry_queue_name

log = logging.getLogger("motovault.consumer")

EventHandler = Callable[[asyncpg.Connection, Event], Awaitable[None]]
ATTEMPTS_HEADER = "x-attempts"
ERROR_HEADER = "x-last-error"
ROUTING_KEY_HEADER = "x-original-routing-key"
# Set by the broker when it dead-letters or redelivers; a copy must not carry them over.
BROKER_HEADER_PREFIXES = ("x-death", "x-first-death", "x-last-death", "x-delivery-count")
RECORD_IN_INBOX = """
    INSERT INTO inbox (event_id, event_type) VALUES ($1, $2)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING true
"""


class Consumer:
    def __init__(
        self,
        broker: Broker,
        pool: asyncpg.Pool,
        service: str,
        handlers: dict[str, EventHandler],
        *,
        registry: CollectorRegistry,
        retry_delays_ms: list[int],
        prefetch: int = 32,
        drain_timeout: float = 10.0,
    ) -> None:
        self._broker = broker
        self._pool = pool
        self._service = service
        self._handlers = handlers
        self._retry_delays = retry_delays_ms
        self._prefetch = prefetch
        self._drain_timeout = drain_timeout
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes = Counter(
            "events_consumed_total", "Events consumed, by type and outcome", ["type", "outcome"], registry=registry
        )
        broker.on_connect(self._subscribe)

    async def _subscribe(self, connection: AbstractConnection, exchange: AbstractExchange) -> None:
        # A fresh channel per connection: delivery tags of the old one are meaningless now.
        self._channel = await connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=self._prefetch)
        self._queue = await declare_consumer_topology(
            self._channel, exchange, self._service, list(self._handlers), self._retry_delays
        )
        self._tag = await self._queue.consume(self._on_message)
        log.info("Consuming %s from %s", ", ".join(self._handlers), self._queue.name)

    async def stop(self) -> None:
        """Stop taking deliveries, then let the handlers in flight finish and acknowledge."""
        if self._queue is not None and self._tag is not None:
            try:
                await asyncio.wait_for(self._queue.cancel(self._tag), 5)
            except Exception:  # the channel may already be gone; unacked messages return anyway
                pass
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self._drain_timeout)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        self._in_flight.add(task)
        try:
            await self._process(message)
        except Exception:
            # Typically the channel closed under us; the broker redelivers the unacked message.
            log.exception("Could not settle message %s", message.message_id)
        finally:
            self._in_flight.discard(task)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            event = Event.from_json(message.body)
        except InvalidEvent as exc:
            log.error("Dead-lettering an invalid message %s: %s", message.message_id, exc)
            self._outcomes.labels("invalid", "dead_lettered").inc()
            await self._park(message, str(exc), attempts=0)
            return
        handler = self._handlers.get(event.routing_key)
        if handler is None:
            # Bound by an older version of this service; nothing here knows it.
            log.warning("No handler for %s; acknowledging", event.routing_key)
            self._outcomes.labels(event.routing_key, "ignored").inc()
            await message.ack()
            return
        token = request_id_var.set(event.request_id)
        try:
            outcome = await self._handle(handler, event)
            self._outcomes.labels(event.routing_key, outcome).inc()
            await message.ack()
        except Exception as exc:
            await self._retry_or_park(message, event, exc)
        finally:
            request_id_var.reset(token)

    async def _handle(self, handler: EventHandler, event: Event) -> str:
        # The handler's use cases join this transaction; what they defer runs after its commit.
        async with transaction(self._pool) as conn:
            first_time = await conn.fetchval(RECORD_IN_INBOX, event.id, event.routing_key)
            if not first_time:
                return "duplicate"
            await handler(conn, event)
        return "handled"

    async def _retry_or_park(self, message: AbstractIncomingMessage, event: Event, exc: Exception) -> None:
        previous = int((message.headers or {}).get(ATTEMPTS_HEADER, 0))
        error = f"{type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, DATABASE_UNAVAILABLE):
            # Our database is down, not the event at fault: wait the longest delay without using up
            # an attempt, so an outage of any length never sends good events to the dead letters.
            log.warning("Database unavailable handling %s %s (%s); will retry", event.routing_key, event.id, error)
            self._outcomes.labels(event.routing_key, "retried").inc()
            queue = retry_queue_name(self._broker.exchange_name, self._service, self._retry_delays[-1])
            await self._forward(message, queue, {ATTEMPTS_HEADER: previous, ERROR_HEADER: error})
            return
        attempts = previous + 1
        if attempts > len(self._retry_delays):
            log.error("Dead-lettering %s %s after %d attempts: %s", event.routing_key, event.id, attempts, error)
            self._outcomes.labels(event.routing_key, "dead_lettered").inc()
            await self._park(message, error, attempts)
            return
        log.warning("Handler for %s %s failed (attempt %d): %s", event.routing_key, event.id, attempts, error)
        self._outcomes.labels(event.routing_key, "retried").inc()
        queue = retry_queue_name(self._broker.exchange_name, self._service, self._retry_delays[attempts - 1])
        await self._forward(message, queue, {ATTEMPTS_HEADER: attempts, ERROR_HEADER: error})

    async def _park(self, message: AbstractIncomingMessage, error: str, attempts: int) -> None:
        queue = dead_queue_name(self._broker.exchange_name, self._service)
        await self._forward(message, queue, {ATTEMPTS_HEADER: attempts, ERROR_HEADER: error})

    async def _forward(self, message: AbstractIncomingMessage, queue: str, headers: dict) -> None:
        """Copy the message, body untouched, to another queue; ack the original once confirmed."""
        original = {k: v for k, v in (message.headers or {}).items() if not k.startswith(BROKER_HEADER_PREFIXES)}
        copy = aio_pika.Message(
            message.body,
            headers={**original, ROUTING_KEY_HEADER: original.get(ROUTING_KEY_HEADER, message.routing_key), **headers},
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            type=message.type,
        )
        assert self._channel is not None
        await self._channel.default_exchange.publish(copy, routing_key=queue)
        await message.ack()
