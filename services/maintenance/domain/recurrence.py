"""When a schedule is next due, and how completing its work moves it on.

A schedule's current cycle starts at a base (a date and an odometer reading) and is due one
interval later, by months, by distance or by both (whichever comes first). The base date is kept
as an anchor date plus a number of months, so month ends do not drift: from 31 January the fixed
schedule is due 28/29 February, then 31 March, not 28 March.

Completing the work (a matching record) starts the next cycle:
- floating (default): the base becomes the record's date and odometer; an oil change done early
  at 7,500 on a 10,000 interval is next due at 17,500;
- fixed: the base becomes the previous due values, stepped forward in one pass by as many whole
  intervals as needed for the new due point to lie after the completion (at least one), so a
  registration renewed early keeps its anniversary and a long-overdue schedule catches up at once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal


def add_months(start: date, months: int) -> date:
    """Calendar month arithmetic, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + (end.month - start.month)


@dataclass(frozen=True)
class Recurrence:
    months: int | None
    distance: Decimal | None  # miles
    fixed: bool = False

    def __post_init__(self) -> None:
        if self.months is None and self.distance is None:
            raise ValueError("a schedule recurs by months, by distance, or both")


@dataclass(frozen=True)
class Cycle:
    anchor_date: date
    base_months: int  # the base date is anchor_date + base_months
    base_odometer: Decimal

    @property
    def base_date(self) -> date:
        return add_months(self.anchor_date, self.base_months)

    def due_date(self, recurrence: Recurrence) -> date | None:
        if recurrence.months is None:
            return None
        return add_months(self.anchor_date, self.base_months + recurrence.months)

    def due_odometer(self, recurrence: Recurrence) -> Decimal | None:
        if recurrence.distance is None:
            return None
        return self.base_odometer + recurrence.distance


def start_cycle(on: date, odometer: Decimal) -> Cycle:
    return Cycle(anchor_date=on, base_months=0, base_odometer=odometer)


def complete(cycle: Cycle, recurrence: Recurrence, done_on: date, done_at: Decimal) -> Cycle:
    """The cycle after the work was done on `done_on` at odometer `done_at`."""
    if not recurrence.fixed:
        return start_cycle(done_on, done_at)
    advanced = cycle
    if recurrence.months is not None:
        advanced = replace(advanced, base_months=cycle.base_months + _month_steps(cycle, recurrence.months, done_on) * recurrence.months)
    if recurrence.distance is not None:
        advanced = replace(advanced, base_odometer=cycle.base_odometer + _distance_steps(cycle, recurrence.distance, done_at) * recurrence.distance)
    return advanced


def _month_steps(cycle: Cycle, months: int, done_on: date) -> int:
    """The fewest whole intervals (>= 1) after which the next due date lies after `done_on`."""

    def due_after(steps: int) -> date:
        return add_months(cycle.anchor_date, cycle.base_months + (steps + 1) * months)

    # Estimate from the calendar, then correct by at most a step either way (month lengths).
    steps = max(1, whole_months_between(cycle.base_date, done_on) // months)
    while due_after(steps) <= done_on:
        steps += 1
    while steps > 1 and due_after(steps - 1) > done_on:
        steps -= 1
    return steps


def _distance_steps(cycle: Cycle, distance: Decimal, done_at: Decimal) -> int:
    """The fewest whole intervals (>= 1) after which the next due odometer lies beyond `done_at`."""
    return max(1, int((done_at - cycle.base_odometer) // distance))
