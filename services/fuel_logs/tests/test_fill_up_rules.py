"""The fill-up rules of the domain, without I/O: updates, cross-field rules, CSV rows to store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.fuel_logs.domain.imports import ImportQuery, plan_import
from shared.imports import InvalidRows
from services.fuel_logs.domain.fill_ups import (
    FuelType, check_rules, check_update_keeps_required, updated_values,
)
from services.fuel_logs.domain.units import UnitSystem
from shared.errors import FieldProblem, InvalidInput
from shared.http.errors import from_domain

pytestmark = pytest.mark.pure

STORED = {
    "date_time": datetime(2026, 5, 1, 8, tzinfo=UTC), "odometer_reading": D(1000), "trip_distance": None,
    "fuel_type": "gasoline", "fuel_grade": None, "fuel_units": D(10), "cost_per_unit": D("3.5"),
    "total_cost": D("35.00"), "is_full_fill": True, "missed_previous": False,
    "location_data": {"placeId": "ChIJ-old"}, "station_place_id": "ChIJ-old", "notes": None,
}
SWITCHING = "required when switching between electricity and liquid fuel"


def test_an_update_may_not_clear_a_required_field():
    check_update_keeps_required({"notes": None, "fuel_grade": None, "trip_distance": None})
    with pytest.raises(InvalidInput) as refused:
        check_update_keeps_required({"date_time": None, "notes": None, "missed_previous": None})
    assert refused.value.details() == [
        {"field": "dateTime", "message": "may not be null", "type": "value_error"},
        {"field": "missedPrevious", "message": "may not be null", "type": "value_error"},
    ]


@pytest.mark.parametrize(("sent", "missing"), [
    ({"fuel_type": FuelType.ELECTRIC}, ["fuelUnits", "costPerUnit"]),
    ({"fuel_type": FuelType.ELECTRIC, "fuel_units": D(40)}, ["costPerUnit"]),
])
def test_switching_between_electricity_and_liquid_fuel_restates_both_figures(sent, missing):
    with pytest.raises(InvalidInput) as refused:
        updated_values(STORED, sent, UnitSystem.IMPERIAL)
    assert refused.value.details() == [{"field": f, "message": SWITCHING, "type": "value_error"} for f in missing]


def test_an_update_is_merged_converted_and_priced_like_the_entry():
    switched = updated_values(STORED, {"fuel_type": FuelType.ELECTRIC, "fuel_units": D(40), "cost_per_unit": D("0.25")},
                              UnitSystem.METRIC)
    assert (switched["fuel_type"], switched["fuel_units"], switched["total_cost"]) == ("electric", D(40), D("10.00"))
    assert switched["odometer_reading"] == D(1000) and switched["station_place_id"] == "ChIJ-old"
    moved = updated_values(STORED, {"location_data": None, "fuel_units": D(12)}, UnitSystem.IMPERIAL)
    assert moved["station_place_id"] is None and moved["total_cost"] == D("42.00")
    with pytest.raises(InvalidInput) as refused:
        updated_values(STORED, {"odometer_reading": None}, UnitSystem.IMPERIAL)
    assert [p.field for p in refused.value.problems] == ["odometerReading", "tripDistance"]


def test_the_grade_must_fit_the_fuel_type():
    with pytest.raises(InvalidInput) as refused:
        check_rules({"odometer_reading": D(1), "fuel_type": "diesel", "fuel_grade": "91"})
    assert refused.value.problems == (
        FieldProblem("fuelGrade", "grade '91' is not valid for diesel (allowed: #1, #2)"),
    )


def to_store(text: str, max_rows: int = 10) -> list[dict]:
    """The rows a real import would store (its bad rows refused together, as the use case does)."""
    plan = plan_import(text, uuid.uuid4(), FuelType.DIESEL, ImportQuery(units=UnitSystem.IMPERIAL), max_rows)
    if plan.problems:
        raise InvalidRows(plan.problems)
    return plan.to_store


def test_csv_rows_become_stored_values_with_the_vehicles_fuel_type_and_a_given_total():
    stored = to_store("date,odometer,quantity,total\n2026-01-01,1000,10,35.01\n")
    assert [(s["fuel_type"], s["cost_per_unit"], s["total_cost"]) for s in stored] == [("diesel", D("3.501"), D("35.01"))]


def test_a_csv_file_is_refused_whole():
    with pytest.raises(InvalidInput) as unreadable:
        to_store("a;b\n1;2\n")
    assert unreadable.value.message == "CSV file not readable; nothing imported"
    assert unreadable.value.details() == [
        {"field": "header", "message": "not an export we recognise (formats recognised: fuelly, fuelio, drivvo, "
                                       "lubelogger, motovault; name one with ?format=)", "type": "csv"},
    ]
    with pytest.raises(InvalidInput) as too_long:
        to_store("date,odometer,quantity,price\n" + "2026-01-01,1,1,1\n" * 3, max_rows=2)
    assert too_long.value.message == "At most 2 rows per import; nothing imported" and too_long.value.details() == []
    with pytest.raises(InvalidInput) as empty:
        to_store("date,odometer,quantity,price\n")
    assert empty.value.message == "The CSV file has no data rows; nothing imported"


def test_invalid_rows_are_reported_with_their_line_numbers():
    with pytest.raises(InvalidRows) as refused:
        to_store("date,odometer,quantity,price\n2026-01-01,1000,10,3.5\n2026-01-02,,10,3.5\nsoon,1300,0,3.5\n")
    assert refused.value.message == "2 invalid row(s); nothing imported"
    details = from_domain(refused.value).details  # what the error middleware answers
    assert [(d["row"], d["field"], d["type"]) for d in details] == [
        (3, "odometerReading", "value_error"), (3, "tripDistance", "value_error"), (4, "date", "csv"),
    ]
    assert list(details[0]) == ["row", "field", "message", "type"]
