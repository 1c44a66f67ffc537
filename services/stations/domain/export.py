"""What the stations service puts in the account export, free of I/O: saved stations, CSV rows, units."""

from __future__ import annotations

from typing import Any

from shared.export_stream import kind_schema

from .photos import PhotoUrlSigner
from .saved_stations import SavedStation
from .views import saved_station_view

COLUMNS = ["placeId", "name", "address", "latitude", "longitude", "rating", "nickname", "notes", "isFavorite",
           "prices", "savedAt", "updatedAt"]
UNITS = {"latitude": "degrees (WGS 84)", "longitude": "degrees (WGS 84)", "rating": "stars (1-5)",
         "prices": "latest observed price per fuel type and grade, each with its unit (JSON in CSV)",
         "savedAt": "ISO 8601 UTC", "updatedAt": "ISO 8601 UTC"}


def export_kinds() -> list[dict[str, Any]]:
    return [kind_schema("saved_station", "saved_stations", COLUMNS, UNITS)]


def saved_station_export(saved: SavedStation, signer: PhotoUrlSigner, now: float) -> tuple[dict[str, Any], list[Any]]:
    """The saved station as the API lists it, less `photoUrl`: a signed link that expires soon
    has no place in an archive (`photoReference` stays)."""
    view = saved_station_view(saved, signer, now)
    view.pop("photoUrl")
    location = view["location"] or {}
    flat = {**view, "latitude": location.get("latitude"), "longitude": location.get("longitude")}
    return view, [flat[column] for column in COLUMNS]
