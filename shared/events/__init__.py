"""The event backbone: envelope, transactional outbox and relay, idempotent consumers, dead letters."""

from .envelope import Event, InvalidEvent, new_event
from .outbox import enqueue, publish_after_commit

__all__ = ["Event", "InvalidEvent", "enqueue", "new_event", "publish_after_commit"]
