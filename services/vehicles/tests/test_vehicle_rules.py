"""Vehicle rules and emitted events without I/O: partial updates, and payloads built from rows."""

import uuid
from datetime import datetime, timezone

import pytest

from services.vehicles import events
from services.vehicles.domain.vehicle import FIELDS, apply_update
from shared.errors import InvalidInput

pytestmark = pytest.mark.pure

VEHICLE_ID = uuid.UUID("7d3c0c6e-2b8f-4a55-9a0e-5f3f7a1c2b10")
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)


def stored_row(**changes) -> dict:
    """A vehicles row as the repository returns it (a mapping of its columns)."""
    row = {field: None for field in FIELDS} | {
        "id": VEHICLE_ID, "user_id": "auth0|rules", "vin": "1HGCM82633A004352", "year": 2003, "make": "Honda",
        "model": "Accord", "fuel_type": "gasoline", "nickname": "Daily", "color": "Silver",
        "license_plate": "ABC-123", "odometer_reading": 120500, "is_active": True, "image_key": None,
        "created_at": NOW, "updated_at": NOW, "deleted_at": None,
    }
    return row | changes


def test_an_update_changes_only_the_fields_sent():
    assert apply_update(stored_row(), {"color": "Blue", "make": None}) == {
        field: stored_row()[field] for field in FIELDS} | {"color": "Blue", "make": None}


@pytest.mark.parametrize("changes", [{"vin": None, "license_plate": None}, {"vin": None, "license_plate": ""}])
def test_an_update_leaving_neither_vin_nor_plate_is_invalid_input_on_the_plate(changes):
    with pytest.raises(InvalidInput) as raised:
        apply_update(stored_row(), changes)
    assert raised.value.message == "Invalid input"
    assert raised.value.details() == [
        {"field": "licensePlate", "message": "a vehicle needs a VIN or a licence plate", "type": "value_error"}]


def test_created_and_updated_carry_the_contract_snapshot_of_the_row():
    expected = {"vehicleId": str(VEHICLE_ID), "vin": "1HGCM82633A004352", "year": 2003, "make": "Honda",
                "model": "Accord", "fuelType": "gasoline", "nickname": "Daily", "odometerReading": 120500}
    for build, event_type in ((events.vehicle_created, "vehicle.created"), (events.vehicle_updated, "vehicle.updated")):
        event = build(stored_row())
        assert (event.type, event.version, event.producer, event.user_id) == (event_type, 1, "vehicles", "auth0|rules")
        assert event.data == expected
        assert list(event.data) == list(expected)  # the documented order, byte for byte on the wire


def test_deleted_names_only_the_vehicle():
    event = events.vehicle_deleted(stored_row(deleted_at=NOW, is_active=False))
    assert (event.routing_key, event.user_id, event.data) == ("vehicle.deleted.v1", "auth0|rules",
                                                              {"vehicleId": str(VEHICLE_ID)})
