"""How stations look on the wire."""

from __future__ import annotations

from typing import Any

import orjson


def station_view(station: dict[str, Any], prices: list[dict[str, Any]], photo_url: str | None,
                 distance_m: float | None) -> dict[str, Any]:
    """`station` is the provider shape of places.py (also what known_station_dict makes)."""
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


def known_station_dict(row: Any) -> dict[str, Any]:
    """A known_stations row in the provider shape. Opening hours are not kept: stale by now."""
    return {
        "placeId": row["place_id"],
        "name": row["name"],
        "address": row["address"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "rating": row["rating"],
        "isOpen": None,
        "photoReference": row["photo_reference"],
        "photoAttributions": orjson.loads(row["photo_attributions"]),
        "types": list(row["types"]),
    }


def saved_station_view(row: Any, station: dict[str, Any]) -> dict[str, Any]:
    return {
        **station,
        "nickname": row["nickname"],
        "notes": row["notes"],
        "isFavorite": row["is_favorite"],
        "savedAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }
