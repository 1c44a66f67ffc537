"""The events the vehicles service emits (docs/events.md), built from stored vehicle rows.

Built from rows, not from the API's view, so renaming an API field cannot change a contract.
"""

from __future__ import annotations

from typing import Any, Mapping

from shared.events import Event, new_event

PRODUCER = "vehicles"


def vehicle_created(row: Mapping[str, Any]) -> Event:
    return new_event("vehicle.created", _snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def vehicle_updated(row: Mapping[str, Any]) -> Event:
    return new_event("vehicle.updated", _snapshot(row), producer=PRODUCER, user_id=row["user_id"])


def vehicle_deleted(row: Mapping[str, Any]) -> Event:
    return new_event("vehicle.deleted", {"vehicleId": str(row["id"])}, producer=PRODUCER, user_id=row["user_id"])


def document_added(row: Mapping[str, Any]) -> Event:
    """A document recorded on a vehicle; `expiresOn` (a date or null) lets others remind of it."""
    data = {
        "vehicleId": str(row["vehicle_id"]),
        "documentId": str(row["id"]),
        "title": row["title"],
        "kind": row["document_type"],
        "expiresOn": None if row["expiry_date"] is None else row["expiry_date"].isoformat(),
    }
    return new_event("vehicle.document_added", data, producer=PRODUCER, user_id=row["user_id"])


def document_removed(user_id: str, vehicle_id: Any, document_id: Any) -> Event:
    data = {"vehicleId": str(vehicle_id), "documentId": str(document_id)}
    return new_event("vehicle.document_removed", data, producer=PRODUCER, user_id=user_id)


def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of vehicle.created/updated. Odometers are stored in whole miles: a JSON integer."""
    return {
        "vehicleId": str(row["id"]),
        "vin": row["vin"],
        "year": row["year"],
        "make": row["make"],
        "model": row["model"],
        "fuelType": row["fuel_type"],
        "nickname": row["nickname"],
        "odometerReading": row["odometer_reading"],
    }


def account_purged(user_id: str, deletion_id: str | None) -> Event:
    """This service holds nothing more of the user (the answer to account.deletion_requested)."""
    data = {"userId": user_id, "service": PRODUCER, "deletionId": deletion_id}
    return new_event("account.purged", data, producer=PRODUCER, user_id=user_id)
