"""Announces schedules that fall due by the passage of time alone, when nobody reads or writes.

Writes, odometer events and reads announce crossings themselves; this periodic sweep covers the
quiet vehicle whose due date simply arrives. Several instances may sweep at once: announcing
claims the due cycle on the schedule row, so each crossing is still announced once.
"""

from __future__ import annotations

import logging
from datetime import date

from aiohttp import web

from shared.cache import CACHE
from shared.db import POOL
from shared.periodic import PeriodicTask, add_background

from . import use_cases
from .use_cases.common import today

log = logging.getLogger("motovault.maintenance.sweeper")
SWEEPER = web.AppKey("due_sweeper", "DueSweeper")
BATCH = 500


class DueSweeper(PeriodicTask):
    def __init__(self, app: web.Application, interval: float) -> None:
        super().__init__("maintenance-due-sweeper", interval, log)
        self._app = app

    async def sweep_once(self, on: date | None = None) -> int:
        """How many schedules this round announced."""
        return await use_cases.announce_schedules_fallen_due(
            self._app[POOL], self._app[CACHE], on=on or today(), limit=BATCH
        )

    async def run_round(self) -> None:
        announced = await self.sweep_once()
        if announced:
            log.info("Announced %d schedules that fell due", announced)


def add_due_sweeper(app: web.Application, interval: float) -> None:
    """Call after add_database and add_redis: the sweep needs the pool and the cache."""
    add_background(app, SWEEPER, lambda app: DueSweeper(app, interval))
