"""Events the vehicles service emits."""

from __future__ import annotations

from shared.events import Event, new_event

PRODUCER = "vehicles"


def vehicle_created(vehicle: dict) -> Event:
    return new_event("vehicle.created", _snapshot(vehicle), producer=PRODUCER, user_id=vehicle["userId"])


def vehicle_deleted(vehicle: dict) -> Event:
    return new_event(
        "vehicle.deleted", {"vehicleId": vehicle["id"]}, producer=PRODUCER, user_id=vehicle["userId"]
    )


def _snapshot(vehicle: dict) -> dict:
    return {
        "vehicleId": vehicle["id"],
        "vin": vehicle["vin"],
        "year": vehicle["year"],
        "make": vehicle["make"],
        "model": vehicle["model"],
        "fuelType": vehicle["fuelType"],
        "odometerReading": vehicle["odometerReading"],
    }
