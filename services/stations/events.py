"""The events the stations service emits (docs/events.md): only the confirmation of an account purge."""

from __future__ import annotations

from shared.events import Event, new_event

PRODUCER = "stations"


def account_purged(user_id: str, deletion_id: str | None) -> Event:
    """This service holds nothing more of the user (the answer to account.deletion_requested)."""
    data = {"userId": user_id, "service": PRODUCER, "deletionId": deletion_id}
    return new_event("account.purged", data, producer=PRODUCER, user_id=user_id)
