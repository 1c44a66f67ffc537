"""One transaction per use case, and the effects that must wait until it has committed.

A use case opens `transaction(db)` with the pool (it owns the transaction) or with a connection
whose transaction someone else owns, such as the event consumer's, which must also record the
event in the inbox. Either way `after_commit()` defers an effect outside the database (cache
invalidation, waking a listener) until the outermost transaction has committed: run earlier, it
would let a concurrent read cache the state that is about to change. After a rollback the
deferred effects never run.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable

import asyncpg

log = logging.getLogger("motovault.transactions")

AfterCommit = Callable[[], Awaitable[object]]
Database = asyncpg.Pool | asyncpg.Connection

_deferred: contextvars.ContextVar[list[AfterCommit] | None] = contextvars.ContextVar("after_commit", default=None)


@asynccontextmanager
async def transaction(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction; deferred effects run once the outermost one commits."""
    if not isinstance(db, asyncpg.Pool) and db.is_in_transaction():
        if _deferred.get() is None:
            raise RuntimeError("joining a transaction that no transaction() scope owns")
        yield db  # the owner commits, then runs what was deferred
        return
    deferred: list[AfterCommit] = []
    token = _deferred.set(deferred)
    try:
        if isinstance(db, asyncpg.Pool):
            async with db.acquire() as conn, conn.transaction():
                yield conn
        else:
            async with db.transaction():
                yield db
    finally:
        _deferred.reset(token)
    await run_deferred(deferred)


@asynccontextmanager
async def connection(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection for reads that need no transaction: one from the pool, or the one given."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            yield conn
    else:
        yield db


def after_commit(effect: AfterCommit) -> None:
    """Run `effect` once the enclosing transaction() has committed; never after a rollback.

    A failing effect is logged: the commit stands, and whatever the effect should have refreshed
    is bounded by its own expiry (cache TTLs) or a later pass (relay polling).
    """
    deferred = _deferred.get()
    if deferred is None:
        raise RuntimeError("after_commit() is only available inside transaction()")
    deferred.append(effect)


async def run_deferred(effects: list[AfterCommit]) -> None:
    for effect in effects:
        try:
            await effect()
        except Exception:
            log.exception("An after-commit effect failed")
