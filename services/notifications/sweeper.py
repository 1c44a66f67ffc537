"""The periodic sweep that reminds of documents coming up to their expiry date.

Expiry dates arrive by the passage of time alone, so no event announces them: each round looks
for documents inside their owner's lead time. A reminder is claimed before it is queued, so
several instances sweeping at once still remind once per document, expiry date and lead time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import AsyncIterator

import asyncpg
from aiohttp import web

from shared.db import POOL

from . import use_cases
from .use_cases.common import today
from .worker import WORKER

log = logging.getLogger("motovault.notifications.sweeper")
SWEEPER = web.AppKey("expiry_sweeper", "ExpirySweeper")
BATCH = 500


class ExpirySweeper:
    def __init__(self, app: web.Application, interval: float) -> None:
        self._app = app
        self._interval = interval
        self._task: asyncio.Task | None = None

    async def sweep_once(self, on: date | None = None) -> int:
        """How many documents this round reminded of."""
        return await use_cases.remind_expiring_documents(
            self._app[POOL], on or today(), BATCH, self._app[WORKER].wake)

    async def _run(self) -> None:
        while True:
            try:
                reminded = await self.sweep_once()
                if reminded:
                    log.info("Reminded of %d expiring documents", reminded)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("Expiry sweep failed, retrying next round: %s", exc)
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifications-expiry-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def add_expiry_sweeper(app: web.Application, interval: float) -> None:
    """Call after add_delivery_worker: reminders wake it."""

    async def sweeper_context(app: web.Application) -> AsyncIterator[None]:
        sweeper = ExpirySweeper(app, interval)
        app[SWEEPER] = sweeper
        sweeper.start()
        yield
        await sweeper.stop()

    app.cleanup_ctx.append(sweeper_context)
