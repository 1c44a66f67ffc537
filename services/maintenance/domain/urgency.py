"""How urgent a schedule is, which metric made it so, and when it will probably be due.

Boundary rule ("due today"): a schedule is due, level `past_due`, from its due date on (due date
<= today) and from its due odometer on (due odometer <= current odometer). Work due today is due
today, not tomorrow, so the reminder fires on the due day rather than a day late. The warning
levels use strict comparisons like LubeLogger: `very_urgent` while fewer than 7 days (or 50
distance units) remain, `urgent` while fewer than 30 days (or 100) remain. With the defaults,
exactly 7 days left is `urgent` and exactly 30 days left is `not_urgent`.

With both metrics the more severe level wins (whichever comes first); the trigger names the metric
that reached it, or "both" when the two reach the same level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum


class Urgency(str, Enum):
    PAST_DUE = "past_due"
    VERY_URGENT = "very_urgent"
    URGENT = "urgent"
    NOT_URGENT = "not_urgent"


SEVERITY = [Urgency.PAST_DUE, Urgency.VERY_URGENT, Urgency.URGENT, Urgency.NOT_URGENT]


@dataclass(frozen=True)
class Thresholds:
    very_urgent_days: int = 7
    urgent_days: int = 30
    very_urgent_distance: Decimal = Decimal(50)  # miles, already converted from the caller's unit
    urgent_distance: Decimal = Decimal(100)


@dataclass(frozen=True)
class Assessment:
    urgency: Urgency
    trigger: str | None  # "date", "odometer", "both"; None when nothing is urgent
    days_until_due: int | None
    distance_until_due: Decimal | None  # miles; negative when overdue


def level(remaining: int | Decimal, very_urgent: int | Decimal, urgent: int | Decimal) -> Urgency:
    if remaining <= 0:
        return Urgency.PAST_DUE
    if remaining < very_urgent:
        return Urgency.VERY_URGENT
    if remaining < urgent:
        return Urgency.URGENT
    return Urgency.NOT_URGENT


def assess(
    due_date: date | None,
    due_odometer: Decimal | None,
    today: date,
    current_odometer: Decimal,
    thresholds: Thresholds = Thresholds(),
) -> Assessment:
    days = (due_date - today).days if due_date is not None else None
    distance = due_odometer - current_odometer if due_odometer is not None else None
    by_metric: dict[str, Urgency] = {}
    if days is not None:
        by_metric["date"] = level(days, thresholds.very_urgent_days, thresholds.urgent_days)
    if distance is not None:
        by_metric["odometer"] = level(distance, thresholds.very_urgent_distance, thresholds.urgent_distance)
    worst = min(by_metric.values(), key=SEVERITY.index)
    reached = [metric for metric, urgency in by_metric.items() if urgency is worst]
    trigger = None if worst is Urgency.NOT_URGENT else ("both" if len(reached) == 2 else reached[0])
    return Assessment(worst, trigger, days, distance)


def driving_rate(readings: list[tuple[date, Decimal]], today: date, window_days: int = 90) -> Decimal | None:
    """Miles per day over the recent window: the distance gained since the earliest reading in
    the window, divided by the days between them. None without two readings a day apart."""
    recent = sorted((on, odo) for on, odo in readings if today - timedelta(days=window_days) <= on <= today)
    if len(recent) < 2:
        return None
    first_on, first_odometer = recent[0]
    last_on = recent[-1][0]
    days = (last_on - first_on).days
    gained = max(odo for _, odo in recent) - first_odometer
    if days < 1 or gained <= 0:
        return None
    return gained / days


def projected_due_date(
    due_date: date | None, distance_until_due: Decimal | None, today: date, miles_per_day: Decimal | None
) -> date | None:
    """The earlier of the due date and the day the driving rate reaches the due odometer."""
    candidates = [due_date] if due_date is not None else []
    if distance_until_due is not None and miles_per_day:
        candidates.append(today + timedelta(days=math.ceil(distance_until_due / miles_per_day)))
    return min(candidates) if candidates else None
