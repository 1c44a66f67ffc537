"""The outbox relay: publishes committed outbox rows with confirms, then deletes them.

It claims a batch by deleting it inside a transaction (`FOR UPDATE SKIP LOCKED` picks the rows, so
several instances of a service share the work without publishing a row twice at once), publishes
it, and commits: three round trips a batch. Rows whose publish failed are written back before the
commit, postponed; a crash before the commit rolls the delete back. A transaction that wrote outbox
rows wakes the relays of its process once it has committed (outbox.py); every relay also polls,
which is how rows committed by another process are found. A row whose publish fails stays, with a
growing delay before its next try; when the broker connection comes back, every postponed row is
due at once.
A crash between the broker's confirm and the DELETE publishes a row again: consumers dedupe.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from prometheus_client import CollectorRegistry, Counter

from ..periodic import PeriodicTask
from .broker import Broker

log = logging.getLogger("motovault.outbox")

CLAIM = """
    DELETE FROM outbox
    WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING id, event_id, routing_key, body, request_id, created_at, attempts
"""
# The rows of a claim whose publish failed, back as they were (same id, so the same place in line),
# one attempt more, due again after a backoff doubling per attempt up to the maximum.
POSTPONE = """
    INSERT INTO outbox (id, event_id, routing_key, body, request_id, created_at, attempts, next_attempt_at, last_error)
    SELECT id, event_id, routing_key, body, request_id, created_at, attempts + 1,
           now() + make_interval(secs => LEAST($8::float8 * 2 ^ attempts, $9::float8)), $10
    FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::timestamptz[], $7::int[])
         AS failed (id, event_id, routing_key, body, request_id, created_at, attempts)
"""
# Rows postponed while the broker was away are due again the moment it is back: their backoff
# (up to max_backoff) measured the outage, not the rows.
DUE_NOW = "UPDATE outbox SET next_attempt_at = now() WHERE next_attempt_at > now()"
FIRST_RETRY_DELAY = 0.5

# The relays running in this process: one per service process; tests run several side by side.
_running: set[OutboxRelay] = set()


async def wake_relays() -> None:
    """Outbox rows were committed in this process: publish them now rather than at the next poll."""
    for relay in _running:
        await relay.wake()


class OutboxRelay(PeriodicTask):
    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: Broker,
        *,
        registry: CollectorRegistry,
        poll_interval: float = 1.0,
        max_backoff: float = 10.0,
        batch_size: int = 256,
    ) -> None:
        # Rounds: at start (catching up on what was committed while no relay ran), after every commit
        # in this process that wrote outbox rows, and every poll_interval. A round that fails,
        # whatever the reason, is logged and tried again.
        super().__init__("outbox-relay", poll_interval, log)
        self._pool = pool
        self._broker = broker
        self._max_backoff = max_backoff
        self._batch_size = batch_size
        self._broker_back = False
        broker.on_connect(self._on_broker_connect)
        self._published = Counter("outbox_published_total", "Events published from the outbox", registry=registry)
        self._failed = Counter("outbox_publish_failures_total", "Outbox publishes that failed", registry=registry)

    def start(self) -> None:
        super().start()
        _running.add(self)

    async def stop(self) -> None:
        _running.discard(self)
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
            rows = sorted(await conn.fetch(CLAIM, self._batch_size), key=lambda row: row["id"])  # in commit order
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
            failed = [row for row, result in zip(rows, results) if isinstance(result, BaseException)]
            if failed:
                error = next(r for r in results if isinstance(r, BaseException))
                columns = [[row[column] for row in failed] for column in
                           ("id", "event_id", "routing_key", "body", "request_id", "created_at", "attempts")]
                await conn.execute(POSTPONE, *columns, FIRST_RETRY_DELAY, self._max_backoff, repr(error)[:500])
                log.warning("Outbox: %d publishes failed (%r); will retry", len(failed), error)
        sent = len(rows) - len(failed)
        self._published.inc(sent)
        self._failed.inc(len(failed))
        return sent
