"""Urgency table: each level by each metric, both metrics, custom thresholds, the boundaries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.maintenance.domain.urgency import (
    Thresholds,
    Urgency,
    assess,
    driving_rate,
    projected_due_date,
)

pytestmark = pytest.mark.pure

TODAY = date(2026, 5, 15)
ODO = Decimal(20_000)
P, VU, U, N = Urgency.PAST_DUE, Urgency.VERY_URGENT, Urgency.URGENT, Urgency.NOT_URGENT


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def miles(n) -> Decimal:
    return ODO + Decimal(n)


# (due date, due odometer, thresholds, expected urgency, expected trigger)
CASES = [
    # by date only, each level and each boundary (due today is due; the warning levels are strict)
    (days(-10), None, Thresholds(), P, "date"),
    (days(0), None, Thresholds(), P, "date"),
    (days(1), None, Thresholds(), VU, "date"),
    (days(6), None, Thresholds(), VU, "date"),
    (days(7), None, Thresholds(), U, "date"),
    (days(29), None, Thresholds(), U, "date"),
    (days(30), None, Thresholds(), N, None),
    (days(400), None, Thresholds(), N, None),
    # by odometer only
    (None, miles(-500), Thresholds(), P, "odometer"),
    (None, miles(0), Thresholds(), P, "odometer"),
    (None, miles("0.1"), Thresholds(), VU, "odometer"),
    (None, miles("49.9"), Thresholds(), VU, "odometer"),
    (None, miles(50), Thresholds(), U, "odometer"),
    (None, miles("99.9"), Thresholds(), U, "odometer"),
    (None, miles(100), Thresholds(), N, None),
    # both: whichever comes first decides, and names itself
    (days(3), miles(5_000), Thresholds(), VU, "date"),
    (days(300), miles(20), Thresholds(), VU, "odometer"),
    (days(-1), miles(20), Thresholds(), P, "date"),
    (days(20), miles(-1), Thresholds(), P, "odometer"),
    (days(0), miles(0), Thresholds(), P, "both"),
    (days(10), miles(70), Thresholds(), U, "both"),
    (days(300), miles(5_000), Thresholds(), N, None),
    # custom thresholds
    (days(10), None, Thresholds(very_urgent_days=14, urgent_days=60), VU, "date"),
    (days(45), None, Thresholds(very_urgent_days=14, urgent_days=60), U, "date"),
    (days(14), None, Thresholds(very_urgent_days=14, urgent_days=60), U, "date"),
    (days(60), None, Thresholds(very_urgent_days=14, urgent_days=60), N, None),
    (None, miles(400), Thresholds(very_urgent_distance=Decimal(500), urgent_distance=Decimal(1000)), VU, "odometer"),
    (None, miles(999), Thresholds(very_urgent_distance=Decimal(500), urgent_distance=Decimal(1000)), U, "odometer"),
    (None, miles(40), Thresholds(very_urgent_distance=Decimal(0), urgent_distance=Decimal(0)), N, None),
    (days(0), None, Thresholds(very_urgent_days=0, urgent_days=0), P, "date"),
]


@pytest.mark.parametrize("due_date, due_odometer, thresholds, urgency, trigger", CASES)
def test_urgency_table(due_date, due_odometer, thresholds, urgency, trigger):
    result = assess(due_date, due_odometer, TODAY, ODO, thresholds)
    assert (result.urgency, result.trigger) == (urgency, trigger)


def test_days_and_distance_until_due_are_signed():
    result = assess(days(-3), miles(-120), TODAY, ODO)
    assert (result.days_until_due, result.distance_until_due) == (-3, Decimal(-120))
    ahead = assess(days(12), None, TODAY, ODO)
    assert (ahead.days_until_due, ahead.distance_until_due) == (12, None)


@given(remaining=st.integers(min_value=-1000, max_value=1000), very=st.integers(0, 100), extra=st.integers(0, 100))
def test_urgency_never_softens_as_the_due_date_nears(remaining, very, extra):
    """One day closer to the due date never gives a less severe level."""
    thresholds = Thresholds(very_urgent_days=very, urgent_days=very + extra)
    order = [P, VU, U, N]
    later = assess(days(remaining), None, TODAY, ODO, thresholds).urgency
    sooner = assess(days(remaining - 1), None, TODAY, ODO, thresholds).urgency
    assert order.index(sooner) <= order.index(later)


def test_driving_rate_from_recent_readings():
    readings = [(TODAY - timedelta(days=200), Decimal(1_000)),  # outside the 90-day window
                (TODAY - timedelta(days=60), Decimal(10_000)),
                (TODAY - timedelta(days=30), Decimal(11_000)),
                (TODAY - timedelta(days=10), Decimal(11_500))]
    assert driving_rate(readings, TODAY) == Decimal(1_500) / 50
    assert driving_rate(readings[:2], TODAY) is None  # a single reading in the window
    assert driving_rate([(TODAY, Decimal(5)), (TODAY, Decimal(9))], TODAY) is None  # same day


def test_projected_due_date_is_the_earlier_of_date_and_driving_rate():
    rate = Decimal(30)  # miles a day
    assert projected_due_date(days(100), Decimal(300), TODAY, rate) == days(10)
    assert projected_due_date(days(5), Decimal(300), TODAY, rate) == days(5)
    assert projected_due_date(None, Decimal(301), TODAY, rate) == days(11)  # rounds up to whole days
    assert projected_due_date(None, Decimal(300), TODAY, None) is None
    assert projected_due_date(days(40), None, TODAY, None) == days(40)
