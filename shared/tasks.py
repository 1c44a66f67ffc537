"""Waiting and stopping for background loops, safe against lost cancellations.

On Python 3.11 `asyncio.wait_for` loses a cancellation that arrives just as the awaited thing
completes (CPython gh-86296, fixed in 3.12). A background loop that lost its cancellation runs
on, and the shutdown waiting for it waits for ever: a CI run hung 120 s in a test's teardown
that way. Loops wait with `wait_set` (built on `asyncio.timeout`, which keeps the cancellation)
and are stopped with `cancel_and_wait`, which cancels again whatever is still running.
"""

from __future__ import annotations

import asyncio

RECANCEL_SECONDS = 1.0


async def wait_set(event: asyncio.Event, timeout: float | None) -> bool:
    """Until `event` is set or `timeout` seconds pass (None: no bound); whether it was set."""
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def cancel_and_wait(*tasks: asyncio.Task | None) -> None:
    """Cancel the tasks and return once every one has ended, whatever it raised."""
    running = {task for task in tasks if task is not None}
    while running:
        for task in running:
            task.cancel()
        _, running = await asyncio.wait(running, timeout=RECANCEL_SECONDS)
    for task in tasks:
        if task is not None and not task.cancelled():
            task.exception()  # retrieved: a failure at shutdown is not reported as "never retrieved"
