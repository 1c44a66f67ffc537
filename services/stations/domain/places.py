"""Our station shape: read from the provider's searchNearby answer (Places API New), or from a
station this user already knows."""

from __future__ import annotations

from typing import Any

import orjson

from .photos import is_photo_name

# What we ask the provider for: the fields a station view shows, nothing billable beyond them.
FIELD_MASK = ",".join(
    "places." + field
    for field in (
        "id", "displayName", "formattedAddress", "shortFormattedAddress", "location", "rating",
        "currentOpeningHours", "photos", "types",
    )
)


# Finding a typed place (Text Search): only where it is and what it is called.
PLACE_FIELD_MASK = "places.id,places.displayName,places.formattedAddress,places.location"


class InvalidProviderResponse(ValueError):
    """A 200 whose body is not a searchNearby answer (a legacy status body, an HTML page, ...)."""


def parse_search_nearby(body: Any) -> list[dict[str, Any]]:
    """Stations of a searchNearby body. The API omits `places` when nothing matched (`{}`)."""
    if not isinstance(body, dict):
        raise InvalidProviderResponse(f"expected an object, got {type(body).__name__}")
    if "error" in body:
        raise InvalidProviderResponse(f"provider error: {_error_summary(body['error'])}")
    if "status" in body:  # the legacy API's envelope: {"status": "REQUEST_DENIED", ...}
        raise InvalidProviderResponse(f"legacy provider status {body.get('status')}: {body.get('error_message', '')}")
    places = body.get("places", [])
    if not isinstance(places, list) or ("places" not in body and body):
        raise InvalidProviderResponse("no 'places' list in the provider answer")
    stations = [station for station in map(_station, places) if station is not None]
    return stations


def parse_text_search(body: Any) -> list[dict[str, Any]]:
    """Places of a searchText body, which lists them as searchNearby does: name, address, point."""
    return [
        {key: station[key] for key in ("placeId", "name", "address", "latitude", "longitude")}
        for station in parse_search_nearby(body)
    ]


def _station(place: Any) -> dict[str, Any] | None:
    """One place, or None when it lacks an id or a usable location (skipped, not fatal)."""
    if not isinstance(place, dict):
        return None
    place_id = place.get("id")
    location = place.get("location") or {}
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if not isinstance(place_id, str) or not place_id or not _is_coordinate(latitude, 90) \
            or not _is_coordinate(longitude, 180):
        return None
    photo = _first_photo(place.get("photos"))
    opening_hours = place.get("currentOpeningHours") or {}
    open_now = opening_hours.get("openNow")
    rating = place.get("rating")
    types = place.get("types")
    return {
        "placeId": place_id,
        "name": (place.get("displayName") or {}).get("text"),
        "address": place.get("formattedAddress") or place.get("shortFormattedAddress"),
        "latitude": float(latitude),
        "longitude": float(longitude),
        "rating": float(rating) if isinstance(rating, (int, float)) and not isinstance(rating, bool) else None,
        "isOpen": open_now if isinstance(open_now, bool) else None,
        "photoReference": photo["name"] if photo else None,
        "photoAttributions": photo["attributions"] if photo else [],
        "types": [t for t in types if isinstance(t, str)] if isinstance(types, list) else [],
    }


def known_station(row: Any) -> dict[str, Any]:
    """A known_stations row in the station shape. Opening hours are not kept: stale by now."""
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


def _first_photo(photos: Any) -> dict[str, Any] | None:
    for photo in photos if isinstance(photos, list) else []:
        name = photo.get("name") if isinstance(photo, dict) else None
        if isinstance(name, str) and is_photo_name(name):
            # The provider's terms: a photo is shown with its authors' attributions.
            attributions = [
                {"displayName": a.get("displayName"), "uri": a.get("uri")}
                for a in photo.get("authorAttributions") or [] if isinstance(a, dict)
            ]
            return {"name": name, "attributions": attributions}
    return None


def _is_coordinate(value: Any, limit: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and -limit <= value <= limit


def _error_summary(error: Any) -> str:
    """`{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": ...}}` in one line."""
    if not isinstance(error, dict):
        return str(error)[:200]
    return f"{error.get('code')} {error.get('status')}: {str(error.get('message', ''))[:200]}"
