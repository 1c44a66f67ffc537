"""What a deletion's status is, from its row and the confirmations received (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from pydantic import Field

from shared.models import ApiModel

PENDING = "pending"
DONE = "done"
COMPLETED = "completed"


class ServiceProgress(ApiModel):
    service: str
    status: str = Field(description="pending, or done once the service has removed the user's data")
    confirmed_at: datetime | None = None


class DeletionStatus(ApiModel):
    id: str
    status: str = Field(description="pending until every service has confirmed, then completed")
    requested_at: datetime
    completed_at: datetime | None = None
    services: list[ServiceProgress]


def all_confirmed(expected: Iterable[str], confirmed: Iterable[str]) -> bool:
    return set(expected) <= set(confirmed)


def deletion_status(deletion: Mapping[str, Any], confirmations: Mapping[str, datetime]) -> dict[str, Any]:
    """The status the user reads: every expected service in the order configured, done with when."""
    services = [
        {"service": name, "status": DONE if name in confirmations else PENDING,
         "confirmedAt": confirmations[name].isoformat() if name in confirmations else None}
        for name in deletion["expected"]
    ]
    completed_at = deletion["completed_at"]
    return {
        "id": str(deletion["id"]),
        "status": COMPLETED if completed_at is not None else PENDING,
        "requestedAt": deletion["requested_at"].isoformat(),
        "completedAt": completed_at.isoformat() if completed_at is not None else None,
        "services": services,
    }
