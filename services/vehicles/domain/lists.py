"""The orders of the vehicles service's lists, which their pages are cut by (shared/paging.py)."""

from __future__ import annotations

from shared.paging import Keyset, SortKey

# Newest first, as the old app listed them.
VEHICLE_ORDER = Keyset(SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid", descending=True))
# Oldest first: the order they were added in.
DOCUMENT_ORDER = Keyset(SortKey("created_at", "timestamp"), SortKey("id", "uuid"))

# The odometer log, newest first (repository.LOG_ORDER). A reading-less entry (a fill-up entered by
# trip distance) sorts first among its date's, as PostgreSQL puts NULLs first when descending.
NO_READING_KEY = 2**31
ODOMETER_LOG_ORDER = Keyset(
    SortKey("read_on", "date", descending=True), SortKey("reading", "int", descending=True),
    SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid", descending=True),
    key_of=lambda row: (row["read_on"], NO_READING_KEY if row["reading"] is None else row["reading"],
                        row["created_at"], row["id"]),
)
