"""Idempotent event consumption in batches, with retries and a dead-letter queue.

Deliveries are applied in batches (shared/events/batch.py): whatever the prefetch window holds
when a batch starts (no waiting for more), in one transaction, the inbox read before and written
after in one statement each, the deliveries acknowledged by one multiple-ack after the commit. A
redelivered event finds its id in the inbox and has no second effect; one that another consumer
committed while this batch handled it too makes the batch roll back and start again. When a batch
cannot commit (an event's handler failed, a coalesced write failed), its events are applied again
one by one, so a poison event fails alone: it is retried after each delay of `retry_delays_ms` (it
waits in a TTL queue), then parked in the dead-letter queue with its payload intact and the last
error in a header; a body that is not a valid envelope is parked at once. The consumer keeps
running in every case.

Batches run one after another while they are quick. One that waits (on a lock, say) for longer
than `STALLED_SECONDS` no longer holds the others back: new deliveries start a batch beside it,
and the events it has not started yet move to a batch of their own.

Routing keys given as `on_demand` are bound only while the service's data wants them (demand.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractQueue
from aiormq.abc import DeliveredMessage
from prometheus_client import CollectorRegistry, Counter, Histogram

from ..outage import DATABASE_UNAVAILABLE
from ..tasks import cancel_and_wait, wait_set
from .batch import Batch, Delivery, EventHandler, decode
from .broker import Broker
from .demand import OnDemandBindings
from .envelope import Event
from .incoming import Incoming
from .topology import dead_queue_name, declare_consumer_topology, retry_queue_name

log = logging.getLogger("motovault.consumer")

__all__ = ["Consumer", "EventHandler"]

ATTEMPTS_HEADER = "x-attempts"
ERROR_HEADER = "x-last-error"
ROUTING_KEY_HEADER = "x-original-routing-key"
# Set by the broker when it dead-letters or redelivers; a copy must not carry them over.
BROKER_HEADER_PREFIXES = ("x-death", "x-first-death", "x-last-death", "x-delivery-count")
STALLED_SECONDS = 0.05


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
        on_demand: OnDemandBindings | None = None,
    ) -> None:
        self._broker = broker
        self._pool = pool
        self._service = service
        self._handlers = handlers
        self._retry_delays = retry_delays_ms
        self._prefetch = prefetch
        self._drain_timeout = drain_timeout
        if on_demand is not None and not on_demand.keys <= handlers.keys():
            raise ValueError(f"bound on demand without a handler: {sorted(on_demand.keys - handlers.keys())}")
        self._on_demand = on_demand
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._waiting: list[Incoming] = []
        self._arrived = asyncio.Event()
        self._batches: dict[asyncio.Task, Batch] = {}
        self._unsettled: dict[int, set[int]] = defaultdict(set)  # channel -> delivery tags in batches
        self._dispatcher: asyncio.Task | None = None
        self._outcomes = Counter(
            "events_consumed_total", "Events consumed, by type and outcome", ["type", "outcome"], registry=registry
        )
        self._batch_sizes = Histogram("events_batch_size", "Events applied per batch", registry=registry,
                                      buckets=(1, 2, 4, 8, 16, 32, 64, 128))
        broker.on_connect(self._subscribe)

    async def _subscribe(self, connection: AbstractConnection, exchange: AbstractExchange) -> None:
        # A fresh channel per connection: delivery tags of the old one are meaningless now.
        self._channel = await connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=self._prefetch)
        always = [key for key in self._handlers if self._on_demand is None or key not in self._on_demand.keys]
        self._queue = await declare_consumer_topology(self._channel, exchange, self._service, always,
                                                      self._retry_delays)
        if self._on_demand is not None:
            await self._on_demand.attach(self._queue, exchange, self._pool)
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name=f"consumer-{self._service}")
        # On aiormq's channel, under aio-pika's: see incoming.py.
        underlay = await self._channel.get_underlay_channel()
        self._tag = (await underlay.basic_consume(self._queue.name, self._on_delivery)).consumer_tag
        log.info("Consuming %s from %s", ", ".join(self._handlers), self._queue.name)

    async def stop(self) -> None:
        """Stop taking deliveries, then let the batches in flight (and those waiting) finish."""
        if self._channel is not None and self._tag is not None:
            try:
                underlay = await self._channel.get_underlay_channel()
                await asyncio.wait_for(underlay.basic_cancel(self._tag), 5)
            except Exception:  # the channel may already be gone; unacked messages return anyway
                pass
        if self._dispatcher is None:
            return
        deadline = time.monotonic() + self._drain_timeout
        while (self._waiting or self._batches) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        # What outlasted the drain is rolled back and never acknowledged: the broker redelivers it.
        await cancel_and_wait(self._dispatcher, *self._batches)

    async def _on_delivery(self, delivered: DeliveredMessage) -> None:
        self._waiting.append(Incoming(delivered))
        self._arrived.set()

    async def _dispatch(self) -> None:
        while True:
            running = [batch for task, batch in self._batches.items() if not task.done()]
            if self._waiting and (not running or all(b.stalled(STALLED_SECONDS) for b in running)):
                messages, self._waiting = self._waiting, []
                self._start([decode(message, self._handlers) for message in messages])
                continue
            for batch in running:
                if batch.stalled(STALLED_SECONDS):
                    pending = batch.take_pending()
                    if pending:
                        self._start(pending)
            self._arrived.clear()
            # until a delivery arrives, or a running batch may have stalled
            await wait_set(self._arrived, STALLED_SECONDS if running else None)

    def _start(self, deliveries: list[Delivery]) -> None:
        batch = Batch(deliveries)
        for delivery in deliveries:
            self._unsettled[id(delivery.message.channel)].add(delivery.message.delivery_tag)
        task = asyncio.create_task(self._run(batch))
        self._batches[task] = batch
        task.add_done_callback(self._batches.pop)

    async def _run(self, batch: Batch) -> None:
        self._batch_sizes.observe(len(batch.deliveries))
        messages = []
        try:
            await self._apply_or_split(batch)
            messages = [delivery.message for delivery in batch.deliveries]  # less what moved on
            for delivery in batch.deliveries:
                await self._settle(delivery)
            await self._acknowledge(messages)
        except Exception:
            # Typically the channel closed under us; the broker redelivers what was not acknowledged.
            log.exception("Could not settle a batch of %d messages", len(batch.deliveries))
        finally:
            for delivery in batch.deliveries:
                self._unsettled[id(delivery.message.channel)].discard(delivery.message.delivery_tag)

    async def _apply_or_split(self, batch: Batch) -> None:
        try:
            await batch.apply(self._pool)
        except Exception as exc:
            work = [d for d in batch.deliveries if d.handler is not None]
            if isinstance(exc, DATABASE_UNAVAILABLE) or len(work) == 1:
                for delivery in work:
                    delivery.outcome, delivery.error = "failed", exc
                return
            log.info("A batch of %d events failed (%s: %s); applying them one by one",
                     len(work), type(exc).__name__, exc)
            for delivery in work:
                await self._apply_or_split(Batch([delivery]))

    async def _settle(self, delivery: Delivery) -> None:
        """Count the outcome; a failed or invalid event goes, copied, to a retry or the dead letters."""
        if delivery.outcome == "invalid":
            log.error("Dead-lettering an invalid message %s: %s", delivery.message.message_id, delivery.error)
            self._outcomes.labels("invalid", "dead_lettered").inc()
            await self._park(delivery.message, str(delivery.error), attempts=0)
        elif delivery.outcome == "failed":
            await self._retry_or_park(delivery.message, delivery.event, delivery.error)
        else:
            if delivery.outcome == "ignored":
                log.warning("No handler for %s; acknowledging", delivery.kind)
            self._outcomes.labels(delivery.kind, delivery.outcome).inc()

    async def _acknowledge(self, messages: list[Incoming]) -> None:
        """One multiple-ack per channel, unless a batch beside this one still holds an earlier tag."""
        by_channel: dict[int, list[Incoming]] = defaultdict(list)
        for message in messages:
            by_channel[id(message.channel)].append(message)
        for channel, batch in by_channel.items():
            tags = {message.delivery_tag for message in batch}
            last = max(batch, key=lambda message: message.delivery_tag)
            if min(self._unsettled[channel] - tags, default=last.delivery_tag + 1) > last.delivery_tag:
                await last.ack(multiple=True)
            else:
                for message in batch:
                    await message.ack()

    async def _retry_or_park(self, message: Incoming, event: Event, exc: Exception) -> None:
        previous = int(message.headers.get(ATTEMPTS_HEADER, 0))
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

    async def _park(self, message: Incoming, error: str, attempts: int) -> None:
        queue = dead_queue_name(self._broker.exchange_name, self._service)
        await self._forward(message, queue, {ATTEMPTS_HEADER: attempts, ERROR_HEADER: error})

    async def _forward(self, message: Incoming, queue: str, headers: dict) -> None:
        """Copy the message, body untouched, to another queue; the batch's ack settles the original
        once the copy is confirmed."""
        original = {k: v for k, v in message.headers.items() if not k.startswith(BROKER_HEADER_PREFIXES)}
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
