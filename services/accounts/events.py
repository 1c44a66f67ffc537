"""The events the accounts service emits (docs/events.md), built from stored deletion rows."""

from __future__ import annotations

from typing import Any, Mapping

from shared.events import Event, new_event

PRODUCER = "accounts"


def deletion_requested(row: Mapping[str, Any]) -> Event:
    """Every service holding user data removes all of it and answers with account.purged.v1."""
    data = {"userId": row["user_id"], "deletionId": str(row["id"])}
    return new_event("account.deletion_requested", data, producer=PRODUCER, user_id=row["user_id"])
