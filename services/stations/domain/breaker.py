"""A circuit breaker as a pure state machine: the caller asks before calling and reports after.

closed    calls pass; `failure_threshold` failures in a row open the circuit.
open      calls are refused until `reset_timeout` seconds have passed since it opened.
half-open one probe call passes (the others are refused); its success closes the circuit, its
          failure opens it again for another `reset_timeout`.

The clock is injected (a monotonic seconds function), so tests drive time without sleeping.
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Callable


class BreakerState(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self, failure_threshold: int, reset_timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if failure_threshold < 1 or reset_timeout <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_timeout > 0")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._reset_timeout_elapsed():
            return BreakerState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """May a call go out now? In half-open, only the first caller gets the probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        if self._probe_in_flight:
            return False
        self._state = BreakerState.HALF_OPEN
        self._probe_in_flight = True
        return True

    def record_success(self) -> None:
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._probe_in_flight = False

    def record_failure(self) -> None:
        if self._state is BreakerState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self._state is BreakerState.CLOSED and self._failures >= self.failure_threshold:
            self._open()

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self.clock()
        self._failures = 0
        self._probe_in_flight = False

    def _reset_timeout_elapsed(self) -> bool:
        return self.clock() - self._opened_at >= self.reset_timeout

    def abandon(self) -> None:
        """A call ended without telling anything about the provider (e.g. it was cancelled):
        hand a half-open probe back so the next caller can probe."""
        self._probe_in_flight = False
