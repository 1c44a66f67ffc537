"""Waiting briefly for the vehicle projection to learn a vehicle.

A client creates a vehicle, then posts a fill-up at once; vehicle.created may still be on its way
to us. The request waits (bounded) instead of answering 404 at once: the projection handler
NOTIFYs when it learns a vehicle or marks one deleted, a dedicated LISTEN connection wakes the
waiters, and a cheap poll covers notifications lost while that connection reconnects. No database
connection is held while waiting. The use cases that need a vehicle are given the watch and wait
only when the projection lacks it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from typing import AsyncIterator, Awaitable, Callable

from aiohttp import web

from shared.listener import Listener
from shared.tasks import wait_set

from .repository import PROJECTION_CHANNEL


class ProjectionWatch:
    def __init__(self, dsn: str, wait_seconds: float, poll_interval: float) -> None:
        self._wait_seconds = wait_seconds
        self._poll_interval = poll_interval
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._listener = Listener(dsn, PROJECTION_CHANNEL, self._notified)

    def start(self) -> None:
        self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()

    def _notified(self, vehicle_id: str) -> None:
        for waiter in self._waiters.get(vehicle_id, ()):
            waiter.set()

    async def wait_for(self, vehicle_id: uuid.UUID, known: Callable[[], Awaitable[bool]]) -> bool:
        """Until `known()` holds or the wait's bound passes; True if it holds."""
        deadline = time.monotonic() + self._wait_seconds
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
                await wait_set(waiter, min(remaining, self._poll_interval))
                waiter.clear()
        finally:
            self._waiters[key].discard(waiter)
            if not self._waiters[key]:
                del self._waiters[key]


PROJECTION_WATCH = web.AppKey("projection_watch", ProjectionWatch)


def add_projection_watch(app: web.Application, dsn: str, wait_seconds: float, poll_interval: float) -> None:
    async def watch_context(app: web.Application) -> AsyncIterator[None]:
        watch = ProjectionWatch(dsn, wait_seconds, poll_interval)
        app[PROJECTION_WATCH] = watch
        watch.start()
        yield
        await watch.stop()

    app.cleanup_ctx.append(watch_context)
