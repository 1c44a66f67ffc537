"""The periodic sweep that reminds of documents coming up to their expiry date.

Expiry dates arrive by the passage of time alone, so no event announces them: each round looks
for documents inside their owner's lead time. A reminder is claimed before it is queued, so
several instances sweeping at once still remind once per document, expiry date and lead time.
"""

from __future__ import annotations

import logging
from datetime import date

from aiohttp import web

from shared.db import POOL
from shared.periodic import PeriodicTask, add_background

from . import use_cases
from .use_cases.common import today
from .worker import WORKER

log = logging.getLogger("motovault.notifications.sweeper")
SWEEPER = web.AppKey("expiry_sweeper", "ExpirySweeper")
BATCH = 500


class ExpirySweeper(PeriodicTask):
    def __init__(self, app: web.Application, interval: float) -> None:
        super().__init__("notifications-expiry-sweeper", interval, log)
        self._app = app

    async def sweep_once(self, on: date | None = None) -> int:
        """How many documents this round reminded of."""
        return await use_cases.remind_expiring_documents(
            self._app[POOL], on or today(), BATCH, self._app[WORKER].wake)

    async def run_round(self) -> None:
        reminded = await self.sweep_once()
        if reminded:
            log.info("Reminded of %d expiring documents", reminded)


def add_expiry_sweeper(app: web.Application, interval: float) -> None:
    """Call after add_delivery_worker: reminders wake it."""
    add_background(app, SWEEPER, lambda app: ExpirySweeper(app, interval))
