"""When to try a delivery again, when quiet hours end, when a document is due for a reminder."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next attempt after `attempts` failed ones: base, 2 base, 4 base, ... cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def after_quiet_hours(now: datetime, start: time | None, end: time | None, timezone: str) -> datetime:
    """`now` if it is outside the user's quiet hours, else the moment they end. The hours are wall
    clock times in the user's time zone and may span midnight (22:00-07:00)."""
    if start is None or end is None or start == end:
        return now
    local = now.astimezone(ZoneInfo(timezone))
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        ends_on = local.date()
    else:
        quiet = clock >= start or clock < end
        ends_on = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return now
    return datetime.combine(ends_on, end, tzinfo=ZoneInfo(timezone)).astimezone(now.tzinfo)


def reminder_due(expires_on: date, lead_days: int, today: date) -> bool:
    """A document is reminded of once today is within `lead_days` of its expiry (or past it)."""
    return today >= expires_on - timedelta(days=lead_days)
