"""The outbox relay: publishes committed outbox rows with confirms, then deletes them.

It claims a batch with `FOR UPDATE SKIP LOCKED` inside a transaction, so several instances of a
service share the work without publishing a row twice at once. It wakes on NOTIFY from a
dedicated connection and also polls, because a notification sent while the listener was
reconnecting is lost. A row whose publish fails stays, with a growing delay before its next try;
when the broker connection comes back, every postponed row is due at once.
A crash between the broker's confirm and the DELETE publishes a row again: consumers dedupe.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from prometheus_client import CollectorRegistry, Counter

from ..listener import Listener
from ..periodic import PeriodicTask
from .broker import Broker

log = logging.getLogger("motovault.outbox")

CLAIM = """
    SELECT id, event_id, routing_key, body, request_id, attempts
    FROM outbox
    WHERE next_attempt_at <= now()
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
"""
DELETE_SENT = "DELETE FROM outbox WHERE id = ANY($1::bigint[])"
POSTPONE = """
    UPDATE outbox
    SET attempts = attempts + 1,
        next_attempt_at = now() + make_interval(secs => LEAST($2::float8 * 2 ^ attempts, $3::float8)),
        last_error = $4
    WHERE id = ANY($1::bigint[])
"""
# Rows postponed while the broker was away are due again the moment it is back: their backoff
# (up to max_backoff) measured the outage, not the rows.
DUE_NOW = "UPDATE outbox SET next_attempt_at = now() WHERE next_attempt_at > now()"
FIRST_RETRY_DELAY = 0.5


class OutboxRelay(PeriodicTask):
    def __init__(
        self,
        pool: asyncpg.Pool,
        dsn: str,
        broker: Broker,
        *,
        registry: CollectorRegistry,
        poll_interval: float = 1.0,
        max_backoff: float = 10.0,
        batch_size: int = 256,
    ) -> None:
        # Rounds: at start (catching up on what was committed while no relay ran), on every NOTIFY,
        # after every (re)connect of the listener (notifications sent while away are lost), and
        # every poll_interval. A round that fails, whatever the reason, is logged and tried again.
        super().__init__("outbox-relay", poll_interval, log)
        self._pool = pool
        self._broker = broker
        self._max_backoff = max_backoff
        self._batch_size = batch_size
        self._listener = Listener(dsn, "outbox", lambda _payload: self._woken.set(), on_connect=self._woken.set)
        self._broker_back = False
        broker.on_connect(self._on_broker_connect)
        self._published = Counter("outbox_published_total", "Events published from the outbox", registry=registry)
        self._failed = Counter("outbox_publish_failures_total", "Outbox publishes that failed", registry=registry)

    def start(self) -> None:
        super().start()
        self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()
        await super().stop()

    async def _on_broker_connect(self, *_connection) -> None:
        self._broker_back = True
        self._woken.set()

    async def run_round(self) -> None:
        await self._broker.connected.wait()
        if self._broker_back:
            self._broker_back = False
            try:
                await self._pool.execute(DUE_NOW)
            except Exception:
                self._broker_back = True  # the next round tries again
                raise
        while await self.drain_once() == self._batch_size:
            pass  # a full batch: more rows are probably waiting

    async def drain_once(self) -> int:
        """Publish one batch of due rows; return how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(CLAIM, self._batch_size)
            if not rows:
                return 0
            results = await asyncio.gather(
                *(
                    self._broker.publish(
                        row["routing_key"], row["body"],
                        message_id=str(row["event_id"]), correlation_id=row["request_id"],
                    )
                    for row in rows
                ),
                return_exceptions=True,
            )
            sent = [row["id"] for row, result in zip(rows, results) if not isinstance(result, BaseException)]
            failed = [row["id"] for row, result in zip(rows, results) if isinstance(result, BaseException)]
            if sent:
                await conn.execute(DELETE_SENT, sent)
            if failed:
                error = next(r for r in results if isinstance(r, BaseException))
                await conn.execute(POSTPONE, failed, FIRST_RETRY_DELAY, self._max_backoff, repr(error)[:500])
                log.warning("Outbox: %d publishes failed (%r); will retry", len(failed), error)
        self._published.inc(len(sent))
        self._failed.inc(len(failed))
        return len(sent)
