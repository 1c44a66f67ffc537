"""Announces schedules that fall due by the passage of time alone, when nobody reads or writes.

Writes, odometer events and reads announce crossings themselves; this periodic sweep covers the
quiet vehicle whose due date simply arrives. Several instances may sweep at once: announcing
claims the due cycle on the schedule row, so each crossing is still announced once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import AsyncIterator

import asyncpg
from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL

from . import use_cases
from .use_cases.common import today

log = logging.getLogger("motovault.maintenance.sweeper")
SWEEPER = web.AppKey("due_sweeper", "DueSweeper")
BATCH = 500


class DueSweeper:
    def __init__(self, app: web.Application, interval: float) -> None:
        self._app = app
        self._interval = interval
        self._task: asyncio.Task | None = None

    async def sweep_once(self, on: date | None = None) -> int:
        """How many schedules this round announced."""
        return await use_cases.announce_schedules_fallen_due(
            self._app[POOL], self._app[CACHE], on=on or today(), limit=BATCH
        )

    async def _run(self) -> None:
        while True:
            try:
                announced = await self.sweep_once()
                if announced:
                    log.info("Announced %d schedules that fell due", announced)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("Due sweep failed, retrying next round: %s", exc)
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="maintenance-due-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def add_due_sweeper(app: web.Application, interval: float) -> None:
    """Call after add_database and add_redis: the sweep needs the pool and the cache."""

    async def sweeper_context(app: web.Application) -> AsyncIterator[None]:
        sweeper = DueSweeper(app, interval)
        app[SWEEPER] = sweeper
        sweeper.start()
        yield
        await sweeper.stop()

    app.cleanup_ctx.append(sweeper_context)
