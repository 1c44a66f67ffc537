"""PeriodicTask: rounds every interval and at once when woken; a failing round never ends the work."""

import asyncio
import logging

import pytest

from shared.periodic import PeriodicTask

pytestmark = pytest.mark.pure


class Counting(PeriodicTask):
    def __init__(self, failures: list[Exception]) -> None:
        super().__init__("test-rounds", interval=3600, log=logging.getLogger("test.periodic"))
        self.rounds = 0
        self._failures = failures

    async def run_round(self) -> None:
        self.rounds += 1
        if self._failures:
            raise self._failures.pop(0)


async def wait_for_rounds(task: Counting, n: int) -> None:
    for _ in range(200):
        if task.rounds >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{task.rounds} rounds, expected {n}")


async def test_a_woken_task_runs_a_round_at_once_and_survives_failing_rounds(caplog):
    task = Counting([ConnectionRefusedError("database away"), RuntimeError("a bug")])
    with caplog.at_level(logging.WARNING, logger="test.periodic"):
        task.start()
        await wait_for_rounds(task, 1)  # the first round runs at start
        await task.wake()
        await wait_for_rounds(task, 2)  # woken long before the hour-long interval
        await task.wake()
        await wait_for_rounds(task, 3)  # still running after two failed rounds
        await task.stop()
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.WARNING, logging.ERROR]  # the outage a warning, the bug with its trace
    assert caplog.records[1].exc_info is not None
