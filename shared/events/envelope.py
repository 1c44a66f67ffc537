"""The event envelope every service publishes and consumes.

On the wire: `{"id", "type", "version", "occurredAt", "producer", "userId", "requestId", "data"}`;
the routing key is `<type>.v<version>`, e.g. `vehicle.deleted.v1`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ..http.json import dumps
from ..logs import request_id_var


class InvalidEvent(ValueError):
    """A message body that is not a well-formed envelope; it goes to the dead-letter queue."""


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    version: int
    data: dict[str, Any]
    producer: str
    user_id: str | None = None
    request_id: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def routing_key(self) -> str:
        return f"{self.type}.v{self.version}"

    def to_json(self) -> bytes:
        return dumps(
            {
                "id": str(self.id),
                "type": self.type,
                "version": self.version,
                "occurredAt": self.occurred_at.isoformat(),
                "producer": self.producer,
                "userId": self.user_id,
                "requestId": self.request_id,
                "data": self.data,
            }
        )

    @classmethod
    def from_json(cls, body: bytes) -> Event:
        try:
            raw = orjson.loads(body)
            if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
                raise InvalidEvent("envelope must be an object with an object 'data'")
            return cls(
                id=uuid.UUID(raw["id"]),
                type=str(raw["type"]),
                version=int(raw["version"]),
                occurred_at=datetime.fromisoformat(raw["occurredAt"]),
                producer=str(raw["producer"]),
                user_id=raw.get("userId"),
                request_id=raw.get("requestId"),
                data=raw["data"],
            )
        except InvalidEvent:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidEvent(f"malformed event envelope: {exc}") from None


def new_event(type: str, data: dict[str, Any], *, producer: str, user_id: str | None, version: int = 1) -> Event:
    """An event stamped with the request id of the request (or event) being handled."""
    return Event(
        type=type, version=version, data=data, producer=producer, user_id=user_id, request_id=request_id_var.get()
    )
