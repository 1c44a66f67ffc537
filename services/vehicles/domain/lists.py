"""The orders of the vehicles service's lists, which their pages are cut by (shared/paging.py)."""

from __future__ import annotations

from shared.paging import Keyset, SortKey

# Newest first, as the old app listed them.
VEHICLE_ORDER = Keyset(SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid", descending=True))
# Oldest first: the order they were added in.
DOCUMENT_ORDER = Keyset(SortKey("created_at", "timestamp"), SortKey("id", "uuid"))
