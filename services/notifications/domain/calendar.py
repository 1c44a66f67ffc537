"""The calendar feed (RFC 5545) of a user's due maintenance and document expiries, built with
the icalendar library. Each item is an all-day event with a stable UID, so a calendar app that
refreshes the feed updates its entries instead of duplicating them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from .messages import CATEGORY_LABELS

PRODUCT_ID = "-//MotoVault//Notifications//EN"


def feed(due: Iterable[Mapping[str, Any]], documents: Iterable[Mapping[str, Any]],
         vehicle_names: Mapping[Any, str], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "MotoVault")
    for row in due:
        vehicle = vehicle_names.get(row["vehicle_id"], "Your vehicle")
        what = f"{CATEGORY_LABELS.get(row['category'], row['category'])}: {', '.join(row['subtypes'])}"
        detail = f"Due at {row['due_odometer']:,.0f} mi. " if row["due_odometer"] is not None else ""
        state = f"Urgency: {row['urgency'].replace('_', ' ')}." if row["urgency"] else "Upcoming."
        calendar.add_component(_all_day(
            f"maintenance-{row['schedule_id']}@motovault", row["due_date"] or row["announced_on"],
            f"{vehicle}: {what}", f"{detail}{state}", now))
    for row in documents:
        vehicle = vehicle_names.get(row["vehicle_id"], "Your vehicle")
        calendar.add_component(_all_day(
            f"document-{row['document_id']}@motovault", row["expires_on"],
            f"{vehicle}: {row['title']} expires", f"{row['kind'].capitalize()} document expires.", now))
    return calendar.to_ical()


def _all_day(uid: str, day: date, summary: str, description: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    return event
