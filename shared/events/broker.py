"""One supervised AMQP connection per process: reconnects by itself, re-declares, re-subscribes.

aio-pika's RobustConnection has known gaps (consumers not resumed after some broker restarts,
objects out of scope not restored), so this keeps a plain connection and rebuilds everything on
each connect: the topology is declared again and every `on_connect` callback runs again. While
disconnected, `publish` fails fast and callers (the outbox relay) keep their rows for later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from pamqp.commands import Basic
from yarl import URL

log = logging.getLogger("motovault.broker")

CLOSE_TIMEOUT = 5.0
PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)
OnConnect = Callable[[AbstractConnection, AbstractExchange], Awaitable[None]]


class BrokerUnavailable(ConnectionError):
    pass


class Broker:
    def __init__(
        self,
        url: str,
        exchange_name: str,
        connection_name: str,
        *,
        publish_timeout: float = 5.0,
        max_reconnect_delay: float = 5.0,
    ) -> None:
        parsed = URL(url)
        # Heartbeats notice a dead peer within ~2 intervals instead of the default minute.
        self._url = parsed if "heartbeat" in parsed.query else parsed.update_query(heartbeat=10)
        self.exchange_name = exchange_name
        self._connection_name = connection_name
        self._publish_timeout = publish_timeout
        self._max_delay = max_reconnect_delay
        self._on_connect: list[OnConnect] = []
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._publisher: aiormq.abc.AbstractChannel | None = None  # the channel under _channel
        self.connected = asyncio.Event()
        self._stop = asyncio.Event()  # set by close(); also ends the wait between reconnects
        self._task: asyncio.Task | None = None

    def on_connect(self, callback: OnConnect) -> None:
        self._on_connect.append(callback)

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"broker:{self._connection_name}")

    async def close(self) -> None:
        self._stop.set()
        # Closing can wait forever on a half-dead connection; shutdown must not.
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._connection.close(), CLOSE_TIMEOUT)
        if self._task is not None:
            # Let the supervisor finish a connect in progress and close what it got: cancelling
            # aio_pika.connect midway leaves a connection object nobody closes.
            done, _ = await asyncio.wait({self._task}, timeout=CLOSE_TIMEOUT)
            if not done:
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=CLOSE_TIMEOUT)

    async def ping(self) -> None:
        if not self.connected.is_set():
            raise BrokerUnavailable("not connected to the broker")

    async def publish(
        self, routing_key: str, body: bytes, *, message_id: str, correlation_id: str | None = None
    ) -> None:
        """Publish to the events exchange and wait for the broker's confirm (a nack raises)."""
        publisher = self._publisher
        if publisher is None or not self.connected.is_set():
            raise BrokerUnavailable("not connected to the broker")
        # On aiormq's channel, under aio-pika's: aio-pika's Message and Exchange.publish cost a
        # quarter more CPU a publish and add nothing here. wait=False: the confirm awaited
        # anyway means the frames were written. The timeout covers the confirm, which can hang on
        # a half-dead connection (aio-pika #689).
        properties = Basic.Properties(message_id=message_id, correlation_id=correlation_id,
                                      content_type="application/json", delivery_mode=PERSISTENT,
                                      message_type=routing_key)
        await publisher.basic_publish(body, exchange=self.exchange_name, routing_key=routing_key,
                                      properties=properties, timeout=self._publish_timeout, wait=False)

    async def _supervise(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            lost = asyncio.Event()
            try:
                connection = await aio_pika.connect(
                    self._url, timeout=5, client_properties={"connection_name": self._connection_name}
                )
                connection.close_callbacks.add(lambda *_: lost.set())
                self._connection = connection
                if self._stop.is_set():  # close() ran while we were connecting
                    await asyncio.gather(asyncio.wait_for(connection.close(), CLOSE_TIMEOUT), return_exceptions=True)
                    return
                self._channel = await connection.channel(publisher_confirms=True)
                self._exchange = await self._channel.declare_exchange(
                    self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
                )
                self._publisher = await self._channel.get_underlay_channel()
                for callback in self._on_connect:
                    await callback(connection, self._exchange)
                self.connected.set()
                log.info("Connected to the broker")
                delay = 0.2
                await lost.wait()
                if not self._stop.is_set():
                    log.warning("Broker connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Broker unavailable (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
            finally:
                self.connected.clear()
                self._exchange = None
                self._publisher = None
                if self._connection is not None and not self._stop.is_set():
                    await asyncio.gather(self._connection.close(), return_exceptions=True)
            if not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)  # close() ends the wait
                delay = min(delay * 2, self._max_delay)
