"""The circuit breaker state machine, on an injected clock."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.stations.domain.breaker import BreakerState, CircuitBreaker

from .conftest import FakeClock

pytestmark = pytest.mark.pure


def breaker(threshold=3, reset=30.0):
    clock = FakeClock()
    return CircuitBreaker(threshold, reset, clock), clock


def test_opens_after_threshold_failures_in_a_row():
    circuit, _ = breaker()
    for _ in range(2):
        assert circuit.allow()
        circuit.record_failure()
    assert circuit.state is BreakerState.CLOSED
    assert circuit.allow()
    circuit.record_failure()
    assert circuit.state is BreakerState.OPEN
    assert not circuit.allow()


def test_a_success_resets_the_failure_count():
    circuit, _ = breaker()
    for outcome in ["fail", "fail", "ok", "fail", "fail"]:
        circuit.allow()
        circuit.record_failure() if outcome == "fail" else circuit.record_success()
    assert circuit.state is BreakerState.CLOSED


def test_half_open_after_the_reset_timeout_allows_one_probe_and_its_success_closes():
    circuit, clock = breaker()
    for _ in range(3):
        circuit.record_failure()
    clock.now += 29.9
    assert not circuit.allow()
    clock.now += 0.1
    assert circuit.state is BreakerState.HALF_OPEN
    assert circuit.allow()           # the probe
    assert not circuit.allow()       # everyone else waits for it
    circuit.record_success()
    assert circuit.state is BreakerState.CLOSED
    assert circuit.allow() and circuit.allow()


def test_a_failed_probe_opens_again_for_a_full_timeout():
    circuit, clock = breaker()
    for _ in range(3):
        circuit.record_failure()
    clock.now += 30
    assert circuit.allow()
    circuit.record_failure()
    assert circuit.state is BreakerState.OPEN
    clock.now += 29
    assert not circuit.allow()
    clock.now += 1
    assert circuit.allow()


def test_an_abandoned_probe_lets_the_next_caller_probe():
    circuit, clock = breaker(threshold=1)
    circuit.record_failure()
    clock.now += 30
    assert circuit.allow()
    circuit.abandon()
    assert circuit.allow()


@given(st.lists(st.booleans(), max_size=60), st.integers(min_value=1, max_value=6))
def test_closed_until_threshold_consecutive_failures(outcomes, threshold):
    """Property: with the clock stopped, the breaker is open exactly when some run of
    `threshold` consecutive failures happened, and from then on it refuses every call."""
    circuit, _ = breaker(threshold=threshold)
    run, opened = 0, False
    for success in outcomes:
        allowed = circuit.allow()
        assert allowed == (not opened)
        if not allowed:
            continue
        if success:
            circuit.record_success()
            run = 0
        else:
            circuit.record_failure()
            run += 1
            opened = opened or run >= threshold
        assert (circuit.state is BreakerState.OPEN) == opened
