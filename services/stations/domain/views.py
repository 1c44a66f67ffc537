"""How stations look on the wire."""

from __future__ import annotations

from typing import Any

from .photos import PhotoUrlSigner
from .places import known_station
from .saved_stations import SavedStation
from .search import SearchInput, StationSearch


def search_view(found: StationSearch, query: SearchInput, signer: PhotoUrlSigner, now: float) -> dict[str, Any]:
    return {
        "stations": [
            station_view(station, found.prices.get(station["placeId"], []),
                         signer.photo_url(station["photoReference"], now), distance)
            for station, distance in found.stations
        ],
        "source": found.source,
        "fallbackReason": found.fallback_reason,
        "searchLocation": {"latitude": query.latitude, "longitude": query.longitude},
        "radius": query.radius,
    }


def station_view(station: dict[str, Any], prices: list[dict[str, Any]], photo_url: str | None,
                 distance_m: float | None) -> dict[str, Any]:
    """`station` is the station shape of places.py."""
    return {
        "placeId": station["placeId"],
        "name": station["name"],
        "address": station["address"],
        "location": (
            {"latitude": station["latitude"], "longitude": station["longitude"]}
            if station["latitude"] is not None else None
        ),
        "distance": round(distance_m, 1) if distance_m is not None else None,
        "rating": station["rating"],
        "isOpen": station["isOpen"],
        "types": station["types"],
        "photoReference": station["photoReference"],
        "photoUrl": photo_url,
        "photoAttributions": station.get("photoAttributions", []),
        "prices": prices,
    }


def saved_station_view(saved: SavedStation, signer: PhotoUrlSigner, now: float) -> dict[str, Any]:
    row, station = saved.row, known_station(saved.row)
    return {
        **station_view(station, saved.prices, signer.photo_url(station["photoReference"], now), None),
        "nickname": row["nickname"],
        "notes": row["notes"],
        "isFavorite": row["is_favorite"],
        "savedAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }
