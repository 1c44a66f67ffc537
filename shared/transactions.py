"""One transaction per use case, and the effects that must wait until it has committed.

A use case opens `transaction(db)` with the pool (it owns the transaction) or with a connection
whose transaction someone else owns, such as the event consumer's, which must also record the
event in the inbox. Either way `after_commit()` defers an effect outside the database (cache
invalidation, waking a listener) until the outermost transaction has committed: run earlier, it
would let a concurrent read cache the state that is about to change. After a rollback the
deferred effects never run.

`coalesce()` gathers many small writes to one row into one, made just before the commit: the
consumer applies a batch of events in one transaction, and twenty fill-ups of one vehicle then
raise its odometer once. `savepoint()` isolates one event of a batch: when it fails, its writes,
its deferred effects and its coalesced contributions are all undone, the others' stay.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Hashable

import asyncpg

log = logging.getLogger("motovault.transactions")

AfterCommit = Callable[[], Awaitable[object]]
Database = asyncpg.Pool | asyncpg.Connection

Flush = Callable[[asyncpg.Connection, Any], Awaitable[object]]


@dataclass
class _Scope:
    """What the outermost transaction() collects for its end."""

    # (key, effect): an effect with a key runs once however often it was deferred.
    deferred: list[tuple[Hashable | None, AfterCommit]] = field(default_factory=list)
    # (key, value, combine, flush) in the order they came; combined per key before the commit.
    coalesced: list[tuple[Hashable, Any, Callable[[Any, Any], Any], Flush]] = field(default_factory=list)


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("transaction_scope", default=None)


@asynccontextmanager
async def transaction(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction; deferred effects run once the outermost one commits."""
    if not isinstance(db, asyncpg.Pool) and db.is_in_transaction():
        if _scope.get() is None:
            raise RuntimeError("joining a transaction that no transaction() scope owns")
        yield db  # the owner flushes, commits, then runs what was deferred
        return
    scope = _Scope()
    token = _scope.set(scope)
    try:
        if isinstance(db, asyncpg.Pool):
            async with db.acquire() as conn, conn.transaction():
                yield conn
                await _flush_coalesced(conn, scope)
        else:
            async with db.transaction():
                yield db
                await _flush_coalesced(db, scope)
    finally:
        _scope.reset(token)
    await run_deferred([effect for _, effect in scope.deferred])


@asynccontextmanager
async def single_statement(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """For a use case whose whole write is one statement, atomic on its own (data-modifying CTEs):
    no BEGIN and COMMIT round trips, and what it defers runs once that statement has committed.
    Joined to a caller's transaction, it is part of that transaction like any other use case."""
    if not isinstance(db, asyncpg.Pool) and db.is_in_transaction():
        async with transaction(db) as conn:
            yield conn
        return
    scope = _Scope()
    token = _scope.set(scope)
    try:
        async with connection(db) as conn:
            yield conn
    finally:
        _scope.reset(token)
    if scope.coalesced:
        raise RuntimeError("coalesce() needs a transaction(): a single statement has nothing to flush into")
    await run_deferred([effect for _, effect in scope.deferred])


@asynccontextmanager
async def savepoint(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A part of the enclosing transaction() that fails alone: on an exception its writes roll back
    to the savepoint, and what it deferred or coalesced is forgotten."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("savepoint() is only available inside transaction()")
    marks = len(scope.deferred), len(scope.coalesced)
    try:
        async with conn.transaction():  # nested: a SAVEPOINT
            yield conn
    except BaseException:
        del scope.deferred[marks[0]:]
        del scope.coalesced[marks[1]:]
        raise


def coalesce(key: Hashable, value: Any, combine: Callable[[Any, Any], Any], flush: Flush) -> None:
    """Contribute `value` to the write named `key`, made once just before the outermost commit
    with the values combined (`combine(a, b)`, e.g. max); `flush(conn, combined)` writes it."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("coalesce() is only available inside transaction()")
    scope.coalesced.append((key, value, combine, flush))


async def _flush_coalesced(conn: asyncpg.Connection, scope: _Scope) -> None:
    combined: dict[Hashable, tuple[Any, Flush]] = {}
    for key, value, combine, flush in scope.coalesced:
        previous = combined.get(key)
        combined[key] = (value if previous is None else combine(previous[0], value), flush)
    scope.coalesced.clear()
    # In one order everywhere: two transactions flushing the same rows lock them in the same order.
    for key in sorted(combined, key=repr):
        value, flush = combined[key]
        await flush(conn, value)


@asynccontextmanager
async def connection(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection for reads that need no transaction: one from the pool, or the one given."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            yield conn
    else:
        yield db


def after_commit(effect: AfterCommit, *, once_per: Hashable | None = None) -> None:
    """Run `effect` once the enclosing transaction() has committed; never after a rollback.
    Effects deferred with the same `once_per` key run once (a batch of events changing one
    user's data invalidates that user's cache once).

    A failing effect is logged: the commit stands, and whatever the effect should have refreshed
    is bounded by its own expiry (cache TTLs) or a later pass (relay polling).
    """
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("after_commit() is only available inside transaction()")
    if once_per is not None and any(key == once_per for key, _ in scope.deferred):
        return
    scope.deferred.append((once_per, effect))


async def run_deferred(effects: list[AfterCommit]) -> None:
    for effect in effects:
        try:
            await effect()
        except Exception:
            log.exception("An after-commit effect failed")
