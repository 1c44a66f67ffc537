"""What the API answers. Secrets (ntfy tokens, webhook secrets) appear only as `hasSecret`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def channel_view(row: Mapping[str, Any]) -> dict[str, Any]:
    view = {
        "id": str(row["id"]), "kind": row["kind"], "name": row["name"],
        "enabled": row["enabled"], "paused": row["paused_reason"] is not None,
        "pausedReason": row["paused_reason"], "hasSecret": row["secret"] is not None,
        "createdAt": row["created_at"],
    }
    view["address" if row["kind"] == "email" else "url"] = row["target"]
    if row["kind"] == "subscription":
        view["eventTypes"] = list(row["event_types"])
    return view


def delivery_view(row: Mapping[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    return {
        "id": str(row["id"]), "channelId": str(row["channel_id"]), "kind": row["kind"],
        # Still waiting for its first attempt, or for quiet hours to end: `pending`.
        "status": row["status"], "attempts": row["attempts"], "error": row["last_error"],
        "title": payload.get("title") or payload.get("type"),
        "createdAt": row["created_at"], "nextAttemptAt": row["next_attempt_at"]
        if row["status"] in ("pending", "retrying") else None,
        "sentAt": row["sent_at"],
    }


def preferences_view(row: Mapping[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"leadDays": 14, "quietHours": None, "timezone": "UTC", "calendarFeed": False}
    quiet = None
    if row["quiet_start"] is not None:
        quiet = {"start": row["quiet_start"].strftime("%H:%M"), "end": row["quiet_end"].strftime("%H:%M")}
    return {"leadDays": row["lead_days"], "quietHours": quiet, "timezone": row["timezone"],
            "calendarFeed": row["calendar_token_hash"] is not None}
