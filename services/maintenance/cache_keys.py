"""Every cache key of the maintenance service and how long its entries live.

The upcoming view's lifetime is a setting (`MAINTENANCE_UPCOMING_CACHE_SECONDS`), so it arrives
with the settings rather than living here.
"""

from __future__ import annotations

import uuid
from datetime import date

from shared.cache import GENERATION_GROUP

from .domain.units import Units

# Records change only through this API and vehicle.deleted, both of which replace the user's edge
# version token. Schedules and the upcoming view are not cached at the edge: reading the upcoming
# view may announce a due schedule (lastNotifiedDueAt), and urgency moves with the calendar.
EDGE_CACHE_SECONDS = 300


def upcoming_cache_key(user_id: str, vehicle_id: uuid.UUID, units: Units, on: date) -> str:
    # The day is part of the key: days until due change at midnight even when nothing is written.
    # The units after the cache's group mark: a vehicle's views of a day share one generation.
    return f"maintenance:upcoming:{user_id}:{vehicle_id}:{on.isoformat()}{GENERATION_GROUP}{units.value}"


def upcoming_cache_keys(user_id: str, vehicle_id: uuid.UUID, on: date) -> list[str]:
    """The vehicle's upcoming view of that day in every unit: what a change makes stale."""
    return [upcoming_cache_key(user_id, vehicle_id, units, on) for units in Units]
