"""The order of the fill-up lists, which their pages are cut by (shared/paging.py).

A fill-up's economy depends on its neighbours in its chain, so a page is cut out of the whole
list's views (computed over every row) rather than out of the rows: the keys are read back from
the views, which carry the date and time and the id exactly as stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Mapping

from shared.paging import Keyset, SortKey


def _view_key(view: Mapping[str, Any]) -> tuple[datetime, uuid.UUID]:
    return datetime.fromisoformat(view["dateTime"]), uuid.UUID(view["id"])


# Newest fill first (repository: ORDER BY date_time DESC, id).
FILL_UP_ORDER = Keyset(SortKey("date_time", "timestamp", descending=True), SortKey("id", "uuid"), key_of=_view_key)
