"""Routing keys a consumer binds only while its service's data wants them.

Some events matter to a service for a few users only: notifications takes a fill-up only to pass
it to the webhook subscriptions of its owner. Bound for everyone, every fill-up of every user
would cost notifications a delivery, a transaction and an acknowledgement, and find nobody to
send it to. Bound on demand, the broker routes those events to the service's queue only while
one of its subscriptions wants them (`wanted`, read from its database).

The order of the steps keeps every wanted event:
- a change that adds demand binds before its transaction commits (`bind_before_commit`), so an
  event published once the change is visible is routed; with the broker away the change fails
  (DependencyUnavailable, a 503) and nothing is stored;
- a change that removes demand unbinds after its commit (`settle_after_commit`), from what the
  database holds then; an unbind that fails leaves an extra binding, which costs work, not events;
- both hold one advisory lock for their transaction, so a removal's reading and unbinding cannot
  interleave with another instance's addition (the instances share the queue and the lock);
- every (re)connect settles the bindings again; when the database cannot tell what is wanted,
  every on-demand key is bound.
"""

from __future__ import annotations

import logging
import zlib
from typing import Awaitable, Callable, Iterable

import asyncpg
from aio_pika.abc import AbstractExchange, AbstractQueue

from ..errors import DependencyUnavailable
from ..outage import DATABASE_UNAVAILABLE
from ..transactions import after_commit, transaction

log = logging.getLogger("motovault.consumer")

BROKER_TIMEOUT = 5.0
Wanted = Callable[[asyncpg.Connection], Awaitable[set[str]]]


class OnDemandBindings:
    def __init__(self, name: str, keys: Iterable[str], wanted: Wanted) -> None:
        """`keys`: the routing keys bound on demand; `wanted(conn)`: which of them the service's
        data wants now; `name`: names the advisory lock (one per set of bindings)."""
        self.keys = frozenset(keys)
        self._wanted = wanted
        self._lock_id = zlib.crc32(f"on-demand bindings: {name}".encode())
        # The consumer's queue, its exchange and the service's pool, once the consumer has connected.
        self._attached: tuple[AbstractQueue, AbstractExchange, asyncpg.Pool] | None = None

    async def attach(self, queue: AbstractQueue, exchange: AbstractExchange, pool: asyncpg.Pool) -> None:
        """The consumer's queue after each (re)connect: bound to what is wanted now."""
        self._attached = (queue, exchange, pool)
        try:
            await self.settle()
        except (*DATABASE_UNAVAILABLE, asyncpg.PostgresError) as exc:
            log.warning("Binding every on-demand key: what is wanted is unknown (%s: %s)", type(exc).__name__, exc)
            await self._bind(self.keys)

    async def bind_before_commit(self, conn: asyncpg.Connection, keys: Iterable[str]) -> None:
        """Inside the transaction that adds demand for `keys`, before it commits."""
        keys = self.keys & set(keys)
        if not keys:
            return
        await self._lock(conn)
        try:
            await self._bind(keys)
        except Exception as exc:
            log.warning("Could not bind %s: %s: %s", ", ".join(sorted(keys)), type(exc).__name__, exc)
            raise DependencyUnavailable("The event broker is unavailable; try again shortly") from None

    def settle_after_commit(self) -> None:
        """Inside a transaction that may remove demand: settle the bindings once it has committed."""
        after_commit(self.settle, once_per=self)

    async def settle(self) -> None:
        """Bind what is wanted, unbind the rest."""
        *_, pool = self._connected()
        async with transaction(pool) as conn:
            await self._lock(conn)
            await self._apply(self.keys & await self._wanted(conn))

    async def _lock(self, conn: asyncpg.Connection) -> None:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", self._lock_id)

    async def _bind(self, keys: Iterable[str]) -> None:
        queue, exchange, _ = self._connected()
        for key in sorted(keys):
            await queue.bind(exchange, routing_key=key, timeout=BROKER_TIMEOUT)

    async def _apply(self, wanted: set[str]) -> None:
        await self._bind(wanted)
        queue, exchange, _ = self._connected()
        for key in sorted(self.keys - wanted):
            await queue.unbind(exchange, routing_key=key, timeout=BROKER_TIMEOUT)

    def _connected(self) -> tuple[AbstractQueue, AbstractExchange, asyncpg.Pool]:
        if self._attached is None:
            raise ConnectionError("not connected to the broker")
        return self._attached
