"""What a notification says, whatever the channel carries it: title, text, priority and tags.

Priorities are ntfy's scale (1 min, 3 default, 5 max); email and webhooks carry them as data.
Distances in maintenance events are miles (docs/events.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

CATEGORY_LABELS = {
    "routine_maintenance": "Routine maintenance",
    "repair": "Repair",
    "performance_upgrade": "Performance upgrade",
}
URGENCY_PRIORITY = {"past_due": 4, "very_urgent": 4, "urgent": 3, "not_urgent": 2}


@dataclass(frozen=True)
class Notification:
    kind: str  # schedule_due, document_expiry, test
    title: str
    text: str
    priority: int = 3
    tags: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notification:
        return cls(**data)


def vehicle_name(nickname: str | None, year: int | None, make: str | None, model: str | None) -> str:
    if nickname:
        return nickname
    return " ".join(str(part) for part in (year, make, model) if part) or "Your vehicle"


def schedule_due(data: dict[str, Any], vehicle: str) -> Notification:
    """From maintenance.schedule_due.v1: which vehicle, what is due, when or at what reading, how urgent."""
    what = f"{CATEGORY_LABELS.get(data['category'], data['category'])}: {', '.join(data['subtypes'])}"
    when = []
    if data.get("dueDate"):
        when.append(f"on {date.fromisoformat(data['dueDate']).strftime('%d %b %Y')}")
    if data.get("dueOdometer") is not None:
        when.append(f"at {Decimal(str(data['dueOdometer'])):,.0f} mi")
    urgency = data.get("urgency", "past_due")
    text = f"{what} is due {' or '.join(when) or 'now'} ({urgency.replace('_', ' ')})."
    return Notification(
        kind="schedule_due", title=f"Maintenance due: {vehicle}", text=text,
        priority=URGENCY_PRIORITY.get(urgency, 3), tags=["wrench", urgency],
        details={"vehicle": vehicle, **data},
    )


def document_expiry(document: dict[str, Any], vehicle: str, today: date) -> Notification:
    expires_on: date = document["expires_on"]
    days = (expires_on - today).days
    if days < 0:
        when = f"expired on {expires_on:%d %b %Y}"
    elif days == 0:
        when = "expires today"
    else:
        when = f"expires on {expires_on:%d %b %Y} (in {days} day{'s' if days != 1 else ''})"
    return Notification(
        kind="document_expiry", title=f"Document expiring: {document['title']}",
        text=f"{vehicle}: {document['kind']} \u201c{document['title']}\u201d {when}.",
        priority=4 if days <= 7 else 3, tags=["page_facing_up"],
        details={"vehicle": vehicle, "vehicleId": str(document["vehicle_id"]),
                 "documentId": str(document["document_id"]), "title": document["title"],
                 "kind": document["kind"], "expiresOn": expires_on.isoformat(), "daysLeft": days},
    )


def test_message(channel_name: str) -> Notification:
    return Notification(kind="test", title="MotoVault test notification",
                        text=f"This is a test of your channel \u201c{channel_name}\u201d. It works.",
                        priority=3, tags=["white_check_mark"])
