"""Stations a user keeps: what saving one says, and what a saved station is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field, StrictBool

from shared.models import ApiModel
from shared.paging import Keyset, SortKey


class SaveStationInput(ApiModel):
    place_id: str = Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_-]+$")
    nickname: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=2000)
    is_favorite: StrictBool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent: saving again changes only those (a null clears one)."""
        return self.model_dump(include=self.model_fields_set - {"place_id"})


@dataclass(frozen=True)
class SavedStation:
    row: Any  # saved_stations joined with the station's known_stations row
    prices: list[dict[str, Any]]  # the latest per fuel type and grade, as prices.price_view shows them


# The saved list's order, which its pages are cut by (shared/paging.py): favourites first, then
# the most recently changed; the place id (unique per user) settles ties.
SAVED_STATION_ORDER = Keyset(
    SortKey("is_favorite", "bool", descending=True, column="s.is_favorite"),
    SortKey("updated_at", "timestamp", descending=True, column="s.updated_at"),
    SortKey("place_id", "text", column="s.place_id"),
)
