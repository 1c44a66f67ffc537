"""One log line when a dependency goes away, a count while it stays away, one when it is back.

Without this, every request that meets an outage logs its own line (1,591 in a 15 s Redis stop),
which buries the one fact an operator needs: when it started, how long it lasted, what it cost.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import asyncpg
from aiohttp import web

SUMMARY_SECONDS = 10.0
# What a lost or refused database connection raises: the database is away, the request is not at
# fault. Answered 503 (shared/http/middleware.py); an event meeting it waits without using up
# an attempt (shared/events/consumer.py).
DATABASE_UNAVAILABLE = (
    OSError,
    asyncpg.InterfaceError,  # "the underlying connection is closed"
    asyncpg.InternalClientError,  # "cannot switch to state ..." on a connection that broke mid-use
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
)


class OutageLog:
    def __init__(self, dependency: str, logger: logging.Logger,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._dependency = dependency
        self._log = logger
        self._clock = clock
        self._since: float | None = None
        self._failures = 0
        self._last_summary = 0.0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        now = self._clock()
        self._failures += 1
        if self._since is None:
            self._since = self._last_summary = now
            self._log.error("%s unavailable (%s: %s)", self._dependency, type(error).__name__, error)
        elif now - self._last_summary >= SUMMARY_SECONDS:
            self._last_summary = now
            self._log.warning("%s still unavailable after %.0f s: %d failed operations so far",
                              self._dependency, now - self._since, self._failures)

    def succeeded(self) -> None:
        if self._since is None:
            return
        self._log.warning("%s back after %.1f s: %d failed operations", self._dependency,
                          self._clock() - self._since, self._failures)
        self._since, self._failures = None, 0


DATABASE_OUTAGE = web.AppKey("database_outage", OutageLog)
