"""Waiting briefly for the vehicle projection to learn a vehicle.

A client creates a vehicle, then posts a fill-up at once; vehicle.created may still be on its way
to us. The request waits (bounded) instead of answering 404 at once: the projection handler
NOTIFYs on every change, a dedicated LISTEN connection wakes the waiters, and a cheap poll covers
notifications lost while that connection reconnects. No database connection is held while waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from typing import AsyncIterator, Awaitable, Callable

import asyncpg
from aiohttp import web

from .repository import PROJECTION_CHANNEL

log = logging.getLogger("motovault.fuel_logs.vehicle_wait")
RECONNECT_DELAY = 1.0
LISTENER_CHECK_INTERVAL = 5.0


class ProjectionWatch:
    def __init__(self, dsn: str, poll_interval: float) -> None:
        self._dsn = dsn
        self._poll_interval = poll_interval
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="vehicle-projection-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _notified(self, _conn, _pid, _channel, payload: str) -> None:
        for waiter in self._waiters.get(payload, ()):
            waiter.set()

    async def wait_for(self, vehicle_id: uuid.UUID, known: Callable[[], Awaitable[bool]], timeout: float) -> bool:
        """Until `known()` holds or `timeout` passes; True if it holds."""
        deadline = time.monotonic() + timeout
        key = str(vehicle_id)
        waiter = asyncio.Event()
        self._waiters[key].add(waiter)
        try:
            while True:
                if await known():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(waiter.wait(), min(remaining, self._poll_interval))
                except TimeoutError:
                    pass
                waiter.clear()
        finally:
            self._waiters[key].discard(waiter)
            if not self._waiters[key]:
                del self._waiters[key]

    async def _listen(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                await conn.add_listener(PROJECTION_CHANNEL, self._notified)
                while True:
                    await asyncio.sleep(LISTENER_CHECK_INTERVAL)
                    await conn.fetchval("SELECT 1")  # notices a dropped connection
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Projection listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_DELAY)
            finally:
                if conn is not None:
                    conn.terminate()


PROJECTION_WATCH = web.AppKey("projection_watch", ProjectionWatch)


def add_projection_watch(app: web.Application, dsn: str, poll_interval: float) -> None:
    async def watch_context(app: web.Application) -> AsyncIterator[None]:
        watch = ProjectionWatch(dsn, poll_interval)
        app[PROJECTION_WATCH] = watch
        watch.start()
        yield
        await watch.stop()

    app.cleanup_ctx.append(watch_context)
