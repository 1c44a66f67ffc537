"""Stopping background loops: a lost cancellation must not leave a shutdown waiting for ever."""

import asyncio

import pytest

from shared.tasks import cancel_and_wait, wait_set

pytestmark = pytest.mark.pure


async def test_a_loop_that_swallows_its_first_cancellation_is_still_stopped(monkeypatch):
    # What Python 3.11's wait_for does when the cancellation meets the wait's completion
    # (gh-86296): the loop sees no CancelledError and runs on.
    monkeypatch.setattr("shared.tasks.RECANCEL_SECONDS", 0.05)
    swallowed = 0

    async def loop() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait(task, None), 5)
    assert task.cancelled() and swallowed == 1


async def test_a_task_that_failed_is_stopped_without_raising():
    async def fails() -> None:
        raise RuntimeError("a bug")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert isinstance(task.exception(), RuntimeError)


async def test_wait_set_says_whether_the_event_came_before_the_bound():
    event = asyncio.Event()
    assert await wait_set(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_set(event, 5) is True
    assert await wait_set(event, None) is True  # already set: no wait


async def test_a_cancelled_wait_set_raises_cancelled_even_when_the_event_is_set_at_once():
    event = asyncio.Event()
    waiting = asyncio.create_task(wait_set(event, 0.5))
    await asyncio.sleep(0)
    event.set()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
