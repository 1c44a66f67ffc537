"""CSV import (common tracker format, locales, all-or-nothing with a row report) and export."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from shared.imports import CsvProblem, fill_up_values, read_export
from shared.imports.table import parse_date, parse_decimal

from .conftest import fetch, new_vehicle

FIXTURES = Path(__file__).parent / "fixtures"
CSV = {"Content-Type": "text/csv"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("45,67", D("45.67")), ("45.67", D("45.67")), ("1.234,5", D("1234.5")), ("1,234.5", D("1234.5")),
     ("12 345", D("12345")), ("$3.299", D("3.299")), ("", None)],
)
@pytest.mark.pure
def test_numbers_in_either_locale(text, expected):
    assert parse_decimal(text, "x") == expected


@pytest.mark.pure
@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "NaN", "Infinity"])
def test_malformed_numbers_are_reported(text):
    with pytest.raises(CsvProblem):
        parse_decimal(text, "quantity")


@pytest.mark.pure
def test_dates_in_the_usual_formats():
    assert parse_date("2026-03-01").isoformat() == "2026-03-01T00:00:00+00:00"
    assert parse_date("01.03.2026").isoformat() == "2026-03-01T00:00:00+00:00"
    assert parse_date("03/01/2026 14:30").isoformat() == "2026-03-01T14:30:00+00:00"
    assert parse_date("2026-03-01T08:00:00+02:00").isoformat() == "2026-03-01T08:00:00+02:00"
    with pytest.raises(CsvProblem):
        parse_date("yesterday")


@pytest.mark.pure
def test_aliases_partial_column_and_total_instead_of_price():
    file = read_export("date,mileage,gallons,total cost,partial fill\n2026-01-02,500,10,35.00,yes\n")
    values = fill_up_values(file.fill_ups[0], file)
    assert values.full is False and values.price == D("3.500") and values.total == D("35.00")
    with pytest.raises(CsvProblem) as missing:
        read_export("date,notes\n2026-01-01,x\n", "motovault")
    assert missing.value.field == "header" and "quantity" in str(missing.value)


async def test_import_semicolons_and_comma_decimals_then_export(fuel_logs, identity):
    ivy = identity("ivy")
    vehicle_id = await new_vehicle(fuel_logs, "ivy")
    text = (FIXTURES / "tracker_semicolon_comma_decimals.csv").read_text()
    imported = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import?units=metric", data=text,
                                    headers={**ivy, **CSV})
    assert imported.status == 201, await imported.text()
    assert (await imported.json())["imported"] == 3
    logs = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}?units=metric", headers=ivy)).json()
    by_date = sorted(logs, key=lambda log: log["dateTime"])
    assert [log["fuelUnits"] for log in by_date] == [40, 20.5, 19.5]
    assert [log["totalCost"] for log in by_date] == [74.36, 38.11, 36.25]  # the receipts' totals are kept
    assert [log["isFullFill"] for log in by_date] == [True, False, True]
    assert by_date[2]["notes"] == "closes, with comma" and by_date[1]["costPerUnit"] == 1.859
    assert by_date[2]["efficiency"] == 8.0  # (20.5 + 19.5) L over 500 km

    exported = await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}/export?units=metric", headers=ivy)
    assert exported.status == 200 and exported.content_type == "text/csv"
    lines = (await exported.text()).splitlines()
    assert lines[0].startswith("Date,Odometer,TripDistance,Quantity,PricePerUnit,TotalCost")
    assert lines[3].split(",")[1:6] == ["10500.0", "", "19.500", "1.859", "36.25"]

    # What export writes, import reads back: into a second vehicle, the same fill-ups.
    copy = await new_vehicle(fuel_logs, "ivy")
    again = await fuel_logs.post(f"/api/fuel-logs/vehicle/{copy}/import?units=metric", data="\n".join(lines),
                                 headers={**ivy, **CSV})
    assert again.status == 201, await again.text()
    copied = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{copy}?units=metric", headers=ivy)).json()
    fields = ("dateTime", "odometerReading", "fuelUnits", "costPerUnit", "totalCost", "isFullFill", "efficiency", "notes")
    assert sorted(tuple(log[f] for f in fields) for log in copied) == sorted(tuple(log[f] for f in fields) for log in logs)


async def test_malformed_rows_are_reported_and_nothing_is_imported(fuel_logs, identity):
    jon = identity("jon")
    vehicle_id = await new_vehicle(fuel_logs, "jon")
    text = (
        "date,odometer,quantity,price,full,missed\n"
        "2026-01-01,1000,10,3.5,yes,no\n"
        "not a date,1300,10,3.5,yes,no\n"
        "2026-01-15,1600,0,3.5,yes,no\n"
        "2026-01-20,,10,3.5,yes,no\n"
        "2026-01-25,1900,10,3.5,maybe,no\n"
        "2026-01-30,2200,10,,yes,no\n"
    )
    response = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", data=text, headers={**jon, **CSV})
    assert response.status == 400
    details = (await response.json())["details"]
    assert {(d["row"], d["field"]) for d in details} == {
        (3, "date"), (4, "fuelUnits"), (5, "odometerReading"), (5, "tripDistance"), (6, "full"), (7, "price"),
    }
    assert await fetch(fuel_logs.settings, "SELECT id FROM fuel_logs") == []


async def test_unreadable_file_is_400(fuel_logs, identity):
    kim = identity("kim")
    vehicle_id = await new_vehicle(fuel_logs, "kim")
    no_columns = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", data="a;b\n1;2\n", headers={**kim, **CSV})
    assert no_columns.status == 400 and (await no_columns.json())["details"][0]["field"] == "header"
    empty = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", data="date,odometer,quantity,price\n",
                                 headers={**kim, **CSV})
    assert empty.status == 400
    wrong_type = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", json={"csv": "x"}, headers=kim)
    assert wrong_type.status == 415
