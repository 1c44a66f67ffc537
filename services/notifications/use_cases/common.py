"""What the notifications use cases share: the clock and waking the delivery worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from shared.transactions import after_commit

Wake = Callable[[], Awaitable[None]]


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Calendar days are UTC days, as in maintenance."""
    return now().date()


def wake_after_commit(wake: Wake | None) -> None:
    """New deliveries go out at once rather than at the worker's next poll, once they are committed
    (once per transaction, however many events of a batch added deliveries)."""
    if wake is not None:
        after_commit(wake, once_per="notifications.worker")
