"""A PostgreSQL LISTEN on a connection of its own that reconnects by itself.

A pooled connection would lose its listener when released, so the listener keeps its own. A
dropped connection is only noticed on the next query (asyncpg #519), hence a cheap check every
few seconds. Notifications sent while it was reconnecting are lost: `on_connect` runs after
every (re)connect so the owner can look for what it missed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

import asyncpg

from .tasks import cancel_and_wait

log = logging.getLogger("motovault.listener")

CHECK_INTERVAL = 5.0
RECONNECT_DELAY = 1.0


class Listener:
    def __init__(
        self,
        dsn: str,
        channel: str,
        on_notify: Callable[[str], None],
        *,
        on_connect: Callable[[], None] = lambda: None,
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_notify = on_notify
        self._on_connect = on_connect
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen-{self._channel}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    def _notified(self, _conn, _pid, _channel, payload: str) -> None:
        self._on_notify(payload)

    async def _run(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                await conn.add_listener(self._channel, self._notified)
                self._on_connect()
                while True:
                    await asyncio.sleep(CHECK_INTERVAL)
                    await conn.fetchval("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN %s lost its connection (%s); reconnecting", self._channel, exc)
                await asyncio.sleep(RECONNECT_DELAY)
            finally:
                if conn is not None:
                    conn.terminate()
