"""The delivery worker: claims due deliveries, carries each over its channel, records the outcome.

Woken when a transaction that queued deliveries commits, and polling as a fallback (another
instance queued them, a retry's backoff ended, quiet hours are over). Several instances share
the work: the claim skips rows another one holds and leases what it takes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from shared.db import POOL
from shared.periodic import PeriodicTask, add_background

from . import use_cases
from .outbound import OUTBOUND, DeliveryFailure
from .senders import Senders
from .settings import NotificationsSettings

log = logging.getLogger("motovault.notifications.worker")
WORKER = web.AppKey("delivery_worker", "DeliveryWorker")


class DeliveryWorker(PeriodicTask):
    def __init__(self, app: web.Application, settings: NotificationsSettings) -> None:
        super().__init__("notifications-delivery-worker", settings.delivery_poll_interval, log)
        self._app = app
        self._settings = settings
        self._senders = Senders(settings, app[OUTBOUND])

    async def run_round(self) -> None:
        await self.run_once()

    async def run_once(self) -> int:
        """Attempt every delivery due now, a batch at a time; how many were attempted."""
        settings = self._settings
        attempted = 0
        while True:
            batch = await use_cases.claim_deliveries(self._app[POOL], settings.delivery_batch,
                                                     settings.delivery_lease_seconds)
            if not batch:
                return attempted
            await asyncio.gather(*(self._attempt(delivery) for delivery in batch))
            attempted += len(batch)

    async def _attempt(self, delivery: dict[str, Any]) -> None:
        settings, pool = self._settings, self._app[POOL]
        channel = {"kind": delivery["channel_kind"], "target": delivery["target"], "secret": delivery["secret"]}
        try:
            await self._senders.send(channel, delivery)
        except DeliveryFailure as exc:
            status = await use_cases.delivery_failed(
                pool, delivery, str(exc), max_attempts=settings.max_attempts,
                base_seconds=settings.retry_base_seconds, max_seconds=settings.retry_max_seconds)
            # The reason names no secret (senders.py); the URL, which may, is not logged.
            log.warning("Delivery %s over %s %s: %s", delivery["id"], channel["kind"], status, exc)
            return
        await use_cases.delivered(pool, delivery)
        log.info("Delivery %s sent over %s", delivery["id"], channel["kind"])


def add_delivery_worker(app: web.Application, settings: NotificationsSettings) -> None:
    """Call after add_database and add_outbound: the worker needs the pool and the HTTP client."""
    add_background(app, WORKER, lambda app: DeliveryWorker(app, settings))
