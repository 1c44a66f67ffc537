"""Waiting for eventually consistent effects, with a deadline instead of a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float = 10.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition {condition.__name__} not met within {timeout}s")
        await asyncio.sleep(interval)


async def until_ready(client, timeout: float = 10.0) -> None:
    """Wait for a started service's /ready: its broker connection is up and its queue is consumed."""

    async def ready() -> bool:
        response = await client.get("/ready")
        return response.status == 200

    await eventually(ready, timeout)
