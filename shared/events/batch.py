"""One batch of deliveries applied in one transaction, the inbox checked before and written after
in one statement each. Optimistic: no savepoint per event; when one fails, the transaction fails
and the consumer applies the batch's events again one by one, each alone in its transaction. A
batch of one event takes a shorter path: its inbox row, its handler, the commit.

A batch hands its events out one at a time (`next_delivery`), so that while it waits on one of
them (a lock, a slow handler) the consumer can move the ones it has not started to another batch
(`take_pending`); each event is handled by exactly one batch.
"""

from __future__ import annotations

import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import asyncpg

from ..logs import request_id_var
from ..transactions import transaction
from .envelope import Event, InvalidEvent
from .incoming import Incoming

EventHandler = Callable[[asyncpg.Connection, Event], Awaitable[None]]

SEEN_IN_INBOX = "SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])"
RECORD_IN_INBOX = """
    INSERT INTO inbox (event_id, event_type)
    SELECT * FROM unnest($1::uuid[], $2::text[])
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
"""


class InboxRace(Exception):
    """Another consumer committed one of these events while this batch handled it too."""


@dataclass
class Delivery:
    message: Incoming
    event: Event | None = None
    handler: EventHandler | None = None
    outcome: str = ""  # handled, duplicate, ignored, invalid, failed
    error: Exception | None = None

    @property
    def kind(self) -> str:
        return self.event.routing_key if self.event is not None else "invalid"


def decode(message: Incoming, handlers: dict[str, EventHandler]) -> Delivery:
    try:
        event = Event.from_json(message.body)
    except InvalidEvent as exc:
        return Delivery(message, outcome="invalid", error=exc)
    handler = handlers.get(event.routing_key)
    # No handler: bound by an older version of this service; nothing here knows it.
    return Delivery(message, event, handler, outcome="" if handler else "ignored")


@dataclass
class BatchInProgress:
    """What the batch being applied in this task holds: a handler's helper may read what every
    event of the batch needs in one statement instead of one per event, and keep it in `memo`
    until the transaction ends (a new one starts with a new memo)."""

    events: list[Event]
    memo: dict[str, Any] = field(default_factory=dict)


_applying: ContextVar[BatchInProgress | None] = ContextVar("batch_in_progress", default=None)


def batch_in_progress() -> BatchInProgress | None:
    """The batch whose transaction the caller runs in, if it is a consumer's."""
    return _applying.get()


async def for_batch_users(memo_key: str, user_id: str,
                          read: Callable[[list[str]], Awaitable[dict[str, Any]]]) -> Any:
    """What every event of a batch needs of its user (a purge time, their subscriptions), read for
    all the batch's users by the first event that asks and kept in the batch's memo under
    `memo_key`: one statement a batch rather than one an event. `read(users)` answers for every
    user it is given. Outside a consumer's batch, read for the one user."""
    batch = batch_in_progress()
    if batch is None:
        return (await read([user_id]))[user_id]
    known = batch.memo.get(memo_key)
    if known is None:
        users = sorted({event.user_id for event in batch.events if event.user_id} | {user_id})
        known = batch.memo[memo_key] = await read(users)
    if user_id not in known:
        known |= await read([user_id])
    return known[user_id]


class Batch:
    def __init__(self, deliveries: list[Delivery]) -> None:
        self.deliveries = deliveries  # every delivery this batch settles
        self._pending = deque(d for d in deliveries if d.handler is not None)
        # When the step under way (an event, or the writes coalesced for the commit) started.
        self.current_since: float | None = None

    def stalled(self, seconds: float) -> bool:
        return self.current_since is not None and time.monotonic() - self.current_since >= seconds

    def take_pending(self) -> list[Delivery]:
        """The events not started yet, handed over to another batch."""
        taken = list(self._pending)
        self._pending.clear()
        handed = set(map(id, taken))
        self.deliveries = [d for d in self.deliveries if id(d) not in handed]
        return taken

    def next_delivery(self) -> Delivery | None:
        return self._pending.popleft() if self._pending else None

    async def apply(self, pool: asyncpg.Pool) -> None:
        """One transaction for the batch.

        Raises when the transaction fails (an event's handler failed, the database is gone, a
        coalesced write failed, another consumer raced it to the inbox): the caller decides what to
        do with its events.
        """
        work = [d for d in self.deliveries if d.handler is not None]
        for delivery in work:
            delivery.outcome, delivery.error = "", None
        self._pending = deque(work)
        token = _applying.set(BatchInProgress([d.event for d in work]))
        try:
            await self._apply(pool, work)
        finally:
            self.current_since = None
            _applying.reset(token)

    async def _apply(self, pool: asyncpg.Pool, work: list[Delivery]) -> None:
        if len(work) == 1:
            await self._apply_alone(pool, work[0])
            return
        async with transaction(pool) as conn:
            seen = {row["event_id"] for row in await conn.fetch(SEEN_IN_INBOX, [d.event.id for d in work])}
            handled: list[Delivery] = []
            while (delivery := self.next_delivery()) is not None:
                if delivery.event.id in seen:
                    delivery.outcome = "duplicate"  # seen before, or earlier in this batch
                    continue
                seen.add(delivery.event.id)
                await self._handle(conn, delivery)  # raises if the event fails
                handled.append(delivery)
            self.current_since = time.monotonic()  # the inbox, then the coalesced writes and the commit
            if handled:
                recorded = await conn.fetch(RECORD_IN_INBOX, [d.event.id for d in handled],
                                            [d.kind for d in handled])
                if len(recorded) < len(handled):
                    raise InboxRace(f"{len(handled) - len(recorded)} of {len(handled)} events")

    async def _apply_alone(self, pool: asyncpg.Pool, delivery: Delivery) -> None:
        """A batch of one, the usual case under a light load: its inbox row first (a duplicate
        stops there; a concurrent consumer of the same event waits for this commit, then sees
        it), then the handler: one round trip fewer than reading the inbox before. Nothing is left
        to hand to another batch once it has started."""
        self.next_delivery()
        try:
            async with transaction(pool) as conn:
                if not await conn.fetch(RECORD_IN_INBOX, [delivery.event.id], [delivery.kind]):
                    delivery.outcome = "duplicate"
                    return
                await self._handle(conn, delivery)
        except BaseException:
            delivery.outcome = ""  # rolled back (the handler or the commit failed): the caller records it
            raise

    async def _handle(self, conn: asyncpg.Connection, delivery: Delivery) -> None:
        """No savepoint (two round trips an event): a failing event fails the batch, which the
        consumer then applies again event by event, so that it fails alone."""
        self.current_since = time.monotonic()
        token = request_id_var.set(delivery.event.request_id)
        try:
            await delivery.handler(conn, delivery.event)
            delivery.outcome = "handled"
        finally:
            request_id_var.reset(token)
