"""The orders of the maintenance lists, which their pages are cut by (shared/paging.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from shared.paging import Keyset, SortKey

from .urgency import SEVERITY, Urgency

# Newest service first; records of one day in the order they were entered, newest first.
RECORD_ORDER = Keyset(SortKey("date", "date", descending=True), SortKey("created_at", "timestamp", descending=True),
                      SortKey("id", "uuid"))
# In the order they were set up.
SCHEDULE_ORDER = Keyset(SortKey("created_at", "timestamp"), SortKey("id", "uuid"))


def _upcoming_key(item: Mapping[str, Any]) -> tuple[int, date, str]:
    projected = item["projectedDueDate"]
    return SEVERITY.index(Urgency(item["urgency"])), date.fromisoformat(projected) if projected else date.max, item["id"]


# Most urgent first, then the soonest projected due date (none: last), then the id: the rank of
# use_cases/upcoming.py, read back from the computed items, which are cut in memory.
UPCOMING_ORDER = Keyset(SortKey("severity", "int"), SortKey("projected", "date"), SortKey("id", "text"),
                        key_of=_upcoming_key)
