"""Background work in rounds: every `interval` seconds, and at once when woken.

A round that meets the database away is logged as a warning and tried again at the next round;
any other error is logged with its trace, since a bug must not stop the work for good. Sweepers
and workers subclass `PeriodicTask` with their `run_round`; `add_background` starts one with the
app and stops it before the pool closes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator, Callable, TypeVar

from aiohttp import web

from .outage import DATABASE_UNAVAILABLE
from .tasks import cancel_and_wait, wait_set

T = TypeVar("T", bound="PeriodicTask")


class PeriodicTask:
    def __init__(self, name: str, interval: float, log: logging.Logger) -> None:
        self._name = name
        self._interval = interval
        self._log = log
        self._woken = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def run_round(self) -> None:
        raise NotImplementedError

    async def wake(self) -> None:
        """Run a round now rather than at the next interval (an after-commit effect)."""
        self._woken.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await self.run_round()
            except DATABASE_UNAVAILABLE as exc:
                self._log.warning("%s: round failed, retrying next round: %s", self._name, exc)
            except Exception:
                self._log.exception("%s: round failed", self._name)
            await wait_set(self._woken, self._interval)
            self._woken.clear()


def add_background(app: web.Application, key: web.AppKey[T], make: Callable[[web.Application], T]) -> None:
    """Run `make(app)` from start-up to shutdown, reachable as app[key]; add it after what it uses."""

    async def background_context(app: web.Application) -> AsyncIterator[None]:
        task = app[key] = make(app)
        task.start()
        yield
        await task.stop()

    app.cleanup_ctx.append(background_context)
