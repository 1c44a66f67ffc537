"""Recurrence table: floating and fixed bases, early completion, catch-up, month ends."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.maintenance.domain.recurrence import Cycle, Recurrence, add_months, complete, start_cycle

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_month_arithmetic_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


# (recurrence, cycle before, completed on, completed at, expected next due date, expected next due odometer)
OIL = Recurrence(months=6, distance=Decimal(10_000))
OIL_FIXED = Recurrence(months=6, distance=Decimal(10_000), fixed=True)
ANNUAL_FIXED = Recurrence(months=12, distance=None, fixed=True)
BASE = start_cycle(date(2026, 1, 10), Decimal(30_000))  # due 2026-07-10 or 40,000
CASES = [
    # floating: the completion is the new base
    (OIL, BASE, date(2026, 5, 1), Decimal(37_500), date(2026, 11, 1), Decimal(47_500)),  # early
    (OIL, BASE, date(2026, 9, 1), Decimal(44_000), date(2027, 3, 1), Decimal(54_000)),  # late
    # fixed: previous due values, stepped forward
    (OIL_FIXED, BASE, date(2026, 5, 1), Decimal(37_500), date(2027, 1, 10), Decimal(50_000)),  # early: one step
    (OIL_FIXED, BASE, date(2026, 7, 10), Decimal(40_000), date(2027, 1, 10), Decimal(50_000)),  # on the due point
    # catch-up over several intervals in one pass: 2 years and 35,000 miles overdue
    (OIL_FIXED, BASE, date(2028, 8, 1), Decimal(75_000), date(2029, 1, 10), Decimal(80_000)),
    (ANNUAL_FIXED, start_cycle(date(2020, 3, 1), Decimal(0)), date(2026, 2, 27), Decimal(0), date(2026, 3, 1), None),
    (ANNUAL_FIXED, start_cycle(date(2020, 3, 1), Decimal(0)), date(2026, 3, 1), Decimal(0), date(2027, 3, 1), None),
    # month ends: 31 January + 1 month, and a fixed schedule does not drift to the 28th
    (Recurrence(months=1, distance=None), start_cycle(date(2026, 1, 1), Decimal(0)), date(2026, 1, 31), Decimal(0), date(2026, 2, 28), None),
    (Recurrence(months=1, distance=None, fixed=True), start_cycle(date(2026, 1, 31), Decimal(0)), date(2026, 2, 28), Decimal(0), date(2026, 3, 31), None),
    (Recurrence(months=1, distance=None, fixed=True), start_cycle(date(2026, 1, 31), Decimal(0)), date(2026, 4, 2), Decimal(0), date(2026, 4, 30), None),
    # distance only
    (Recurrence(months=None, distance=Decimal(5_000), fixed=True), start_cycle(date(2026, 1, 1), Decimal(1_000)), date(2026, 2, 1), Decimal(23_000), None, Decimal(26_000)),
    (Recurrence(months=None, distance=Decimal(5_000)), start_cycle(date(2026, 1, 1), Decimal(1_000)), date(2026, 2, 1), Decimal(23_000), None, Decimal(28_000)),
]


@pytest.mark.parametrize("recurrence, cycle, done_on, done_at, due_date, due_odometer", CASES)
def test_recurrence_table(recurrence, cycle, done_on, done_at, due_date, due_odometer):
    after = complete(cycle, recurrence, done_on, done_at)
    assert (after.due_date(recurrence), after.due_odometer(recurrence)) == (due_date, due_odometer)


def test_first_due_point_is_one_interval_after_the_base():
    assert (BASE.due_date(OIL), BASE.due_odometer(OIL)) == (date(2026, 7, 10), Decimal(40_000))


def test_a_schedule_needs_an_interval():
    with pytest.raises(ValueError):
        Recurrence(months=None, distance=None)


@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    months=st.integers(min_value=1, max_value=36),
    late_days=st.integers(min_value=-400, max_value=4000),
)
def test_fixed_catch_up_lands_on_the_first_anniversary_after_the_completion(anchor, months, late_days):
    """One pass lands on the schedule's own grid, after the completion, and skips no anniversary
    that was still ahead (unless the work was early, which always moves one whole step)."""
    from datetime import timedelta

    recurrence = Recurrence(months=months, distance=None, fixed=True)
    cycle = start_cycle(anchor, Decimal(0))
    done_on = cycle.due_date(recurrence) + timedelta(days=late_days)
    after = complete(cycle, recurrence, done_on, Decimal(0))
    due = after.due_date(recurrence)
    steps = after.base_months // months
    assert after.base_months % months == 0 and steps >= 1
    assert due == add_months(anchor, (steps + 1) * months)  # on the grid, no month-end drift
    assert due > done_on
    if steps > 1:
        assert add_months(anchor, steps * months) <= done_on  # the previous anniversary had passed


@given(
    base=st.integers(min_value=0, max_value=500_000),
    interval=st.integers(min_value=1, max_value=50_000),
    driven=st.integers(min_value=0, max_value=1_000_000),
)
def test_fixed_distance_catch_up(base, interval, driven):
    recurrence = Recurrence(months=None, distance=Decimal(interval), fixed=True)
    after = complete(Cycle(date(2026, 1, 1), 0, Decimal(base)), recurrence, date(2026, 6, 1), Decimal(base + driven))
    due = after.due_odometer(recurrence)
    assert due > base + driven
    assert (due - base) % interval == 0
    assert due - interval <= base + driven or due == base + 2 * interval  # early work: exactly one step
