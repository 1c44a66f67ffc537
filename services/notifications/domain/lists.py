"""The orders of the notifications lists, which their pages are cut by (shared/paging.py)."""

from __future__ import annotations

from shared.paging import Keyset, SortKey

# Channels and webhook subscriptions: in the order they were added.
CHANNEL_ORDER = Keyset(SortKey("created_at", "timestamp"), SortKey("id", "uuid"))
# The delivery log: newest first.
DELIVERY_ORDER = Keyset(SortKey("created_at", "timestamp", descending=True), SortKey("id", "uuid"))
# Without `limit` the log answers its newest deliveries only, as it did before paging.
DEFAULT_DELIVERIES = 50
