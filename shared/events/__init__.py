"""The event backbone: envelope, transactional outbox and relay, idempotent consumers, dead letters."""

from .envelope import Event, InvalidEvent, new_event
from .outbox import enqueue

__all__ = ["Event", "InvalidEvent", "enqueue", "new_event"]
