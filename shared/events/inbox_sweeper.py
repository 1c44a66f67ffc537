"""Forgets handled events once no redelivery of them can come: the inbox would otherwise grow by
one row per event for ever, and its primary key (random UUIDs) with it, each insert of a consumer
touching an ever larger index.

A handled event comes again only when its acknowledgement was lost (the consumer's connection
dropped after the commit: redelivered once it reconnects) or when a relay crashed between the
broker's confirm and its delete (published again at once). Events that were never handled (queued
while a consumer was down, dead-lettered) have no inbox row to lose. The retention
(`INBOX_RETENTION_HOURS`, a week by default) is far longer than either; an event redelivered after
it would have a second effect, so it must stay longer than any outage of the broker or of a
consumer that an operator would wait out rather than replay.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from prometheus_client import CollectorRegistry, Counter

from ..periodic import PeriodicTask

log = logging.getLogger("motovault.inbox")

# One chunk per statement: a short transaction, a bounded WAL burst; the next chunk follows at once.
FORGET_CHUNK = """
    DELETE FROM inbox
    WHERE event_id IN (SELECT event_id FROM inbox
                       WHERE processed_at < now() - $1::float8 * interval '1 hour' LIMIT $2)
"""


class InboxSweeper(PeriodicTask):
    def __init__(self, pool: asyncpg.Pool, *, registry: CollectorRegistry, retention_hours: float,
                 interval: float = 3600.0, chunk: int = 5_000) -> None:
        super().__init__("inbox-sweeper", interval, log)
        self._pool = pool
        self._retention_hours = retention_hours
        self._chunk = chunk
        self._forgotten = Counter("inbox_forgotten_total", "Inbox rows deleted after the retention",
                                  registry=registry)

    async def run_round(self) -> None:
        total = 0
        while True:
            status = await self._pool.execute(FORGET_CHUNK, self._retention_hours, self._chunk)
            deleted = int(status.rsplit(" ", 1)[1])
            total += deleted
            self._forgotten.inc(deleted)
            if deleted < self._chunk:
                break
            await asyncio.sleep(0)  # between chunks, let the requests and consumers of this process run
        if total:
            log.info("Inbox: forgot %d events handled over %g hours ago", total, self._retention_hours)
