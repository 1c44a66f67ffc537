"""Importing fill-ups from Fuelly, Fuelio, Drivvo, LubeLogger and our own export: stored values in
canonical units, dry run, all or nothing, a repeated import adding nothing, events marked imported."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import orjson
import pytest

from services.fuel_logs.app import create_app
from services.fuel_logs.settings import FuelLogsSettings
from shared.imports.report import ImportReport

from .conftest import fetch, new_vehicle

SAMPLES = Path(__file__).parents[3] / "shared" / "tests" / "fixtures" / "imports"
CSV = {"Content-Type": "text/csv"}
STORED = "odometer_reading, fuel_units, cost_per_unit, total_cost, is_full_fill, missed_previous, fuel_type"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


async def stored(settings, vehicle_id: str) -> list[tuple]:
    rows = await fetch(settings, f"SELECT {STORED} FROM fuel_logs WHERE vehicle_id = $1 ORDER BY date_time",
                       __import__("uuid").UUID(vehicle_id))
    return [tuple(row) for row in rows]


async def outbox(settings) -> list[dict]:
    rows = await fetch(settings, "SELECT body FROM outbox ORDER BY id")
    return [orjson.loads(r["body"]) for r in rows]


@pytest.fixture
async def quiet_fuel_logs(backed_settings, serve):
    """The service with the broker unreachable: events stay in the outbox, where tests read them."""
    settings = FuelLogsSettings(**await backed_settings(
        "fuel_logs", amqp_url="amqp://guest:guest@127.0.0.1:1/", vehicle_wait_seconds=0.5,
        vehicle_wait_poll_seconds=0.05))
    client = await serve(create_app(settings))
    client.settings = settings
    return client


async def post(client, user_headers, vehicle_id, text, query=""):
    return await client.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import{query}", data=text.encode(),
                             headers={**user_headers, **CSV})


# Per format: the sample, the query, the report's counts, then the stored rows in storage units
# (miles, US gallons, price per US gallon), converted exactly from the file's units: km / 1.609344
# to 6 places, litres / 3.785411784 to 9 places, a price per litre x 3.785411784 exactly.
FORMATS = [
    ("fuelly_fuelups.csv", "", "fuelly", {"fillUps": 4, "otherService": 0, "ignored": 0}, [
        (D("10000"), D("10"), D("3.299"), D("32.99"), True, False, "gasoline"),
        (D("10150"), D("5"), D("3.199"), D("16.00"), False, False, "gasoline"),
        (D("10300"), D("5"), D("3.399"), D("17.00"), True, False, "gasoline"),
        (D("10800"), D("12.5"), D("3.250"), D("40.63"), True, True, "gasoline"),
    ]),
    ("fuelly_fuelups_metric.csv", "", "fuelly", {"fillUps": 2}, [
        (D("12427.423845"), D("10.698968121"), D("7.037080506456"), D("75.29"), True, False, "gasoline"),
        (D("12800.246560"), D("10.104581003"), D("7.188496977816"), D("72.64"), True, False, "gasoline"),
    ]),
    ("fuelio.csv", "", "fuelio", {"fillUps": 4, "otherService": 1, "ignored": 2}, [
        (D("31068.559612"), D("11.940576767"), D("5.86738826520"), D("70.06"), True, False, "diesel"),
        (D("31317.108089"), D("5.283441047"), D("5.98095061872"), D("31.60"), False, False, "diesel"),
        (D("31565.656566"), D("7.951578776"), D("5.86738826520"), D("46.66"), True, False, "diesel"),
        (D("32124.890639"), D("8.717677728"), D("5.98095061872"), D("52.14"), True, True, "diesel"),
    ]),
    ("drivvo.csv", "", "drivvo", {"fillUps": 3, "otherService": 1, "ignored": 1}, [
        (D("18641.135767"), D("10.569523815"), D("22.330144113816"), D("236.00"), True, False, "gasoline"),
        (D("18858.615684"), D("5.283441047"), D("21.951602935416"), D("116.00"), False, False, "gasoline"),
        (D("19076.095602"), D("5.283441047"), D("22.708685292216"), D("120.00"), True, False, "gasoline"),
    ]),
    ("lubelogger_gas.csv", "?units=imperial", "lubelogger", {"fillUps": 4}, [
        (D("12000"), D("10.5"), D("3.300"), D("34.65"), True, False, "gasoline"),
        (D("12200"), D("4.25"), D("3.301"), D("14.03"), False, False, "gasoline"),
        (D("12450"), D("6.75"), D("3.301"), D("22.28"), True, False, "gasoline"),
        (D("12900"), D("11"), D("3.300"), D("36.30"), True, True, "gasoline"),
    ]),
    ("motovault_fuel_logs.csv", "", "motovault", {"fillUps": 3}, [
        (D("1000"), D("10"), D("3.5"), D("35.00"), True, False, "gasoline"),
        (D("1300"), D("10"), D("3.6"), D("36.00"), True, False, "gasoline"),
        (D("1500"), D("5"), D("3.7"), D("18.50"), False, True, "gasoline"),
    ]),
]


@pytest.mark.parametrize(("name", "query", "format", "counts", "rows"), FORMATS, ids=[f[0] for f in FORMATS])
async def test_each_format_is_imported_in_storage_units(fuel_logs, identity, name, query, format, counts, rows):
    ann = identity("ann")
    vehicle_id = await new_vehicle(fuel_logs, "ann")
    response = await post(fuel_logs, ann, vehicle_id, sample(name), query)
    assert response.status == 201, await response.text()
    report = await response.json()
    ImportReport.model_validate(report)  # what the OpenAPI document says it is
    assert report["format"] == format and report["rejected"] == []
    assert counts.items() <= report["counts"].items()
    assert len(report["fuelLogIds"]) == len(rows)
    assert await stored(fuel_logs.settings, vehicle_id) == rows


async def test_metric_figures_read_back_as_entered(fuel_logs, identity):
    bo = identity("bo")
    vehicle_id = await new_vehicle(fuel_logs, "bo")
    assert (await post(fuel_logs, bo, vehicle_id, sample("fuelio.csv"))).status == 201
    logs = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}?units=metric", headers=bo)).json()
    first = min(logs, key=lambda log: log["dateTime"])
    assert (first["odometerReading"], first["fuelUnits"], first["costPerUnit"], first["totalCost"]) == (
        50000, 45.2, 1.55, 70.06)


async def test_imperial_gallons_go_through_litres(fuel_logs, identity):
    cy = identity("cy")
    vehicle_id = await new_vehicle(fuel_logs, "cy")
    text = sample("fuelio.csv").replace('"Octavia","","0","0"', '"Octavia","","1","2"')
    response = await post(fuel_logs, cy, vehicle_id, text)
    assert response.status == 201, await response.text()
    assert (await response.json())["units"] == {"distance": "mi", "volume": "impgal"}
    last = (await stored(fuel_logs.settings, vehicle_id))[-1]
    assert last[:3] == (D("51700"), D("39.631347542"), D("1.315625212"))


async def test_lubelogger_units_come_from_the_caller(fuel_logs, identity):
    di = identity("di")
    vehicle_id = await new_vehicle(fuel_logs, "di")
    response = await post(fuel_logs, di, vehicle_id, sample("lubelogger_gas.csv"), "?units=metric")
    assert (await response.json())["units"] == {"distance": "km", "volume": "l"}
    first = (await stored(fuel_logs.settings, vehicle_id))[0]
    assert first[:2] == (D("7456.454307"), D("2.773806550"))


async def test_a_repeated_import_adds_nothing(quiet_fuel_logs, identity):
    client = quiet_fuel_logs
    ed = identity("ed")
    vehicle_id = await new_vehicle(client, "ed")
    first = await post(client, ed, vehicle_id, sample("fuelly_fuelups.csv"))
    assert first.status == 201
    again = await post(client, ed, vehicle_id, sample("fuelly_fuelups.csv"))
    assert again.status == 201
    report = await again.json()
    assert report["imported"] == 0 and report["counts"]["alreadyImported"] == 4 and report["fuelLogIds"] == []
    assert len(await stored(client.settings, vehicle_id)) == 4
    events = await outbox(client.settings)
    assert len(events) == 4 and all(e["type"] == "fuel_log.created" and e["data"]["imported"] is True for e in events)
    # Another vehicle is another fill-up: the key includes the vehicle.
    other = await new_vehicle(client, "ed")
    assert (await (await post(client, ed, other, sample("fuelly_fuelups.csv"))).json())["imported"] == 4


BAD_MIDDLE = (
    "Date,Odometer,FuelConsumed,Cost,FuelEconomy,IsFillToFull,MissedFuelUp,Notes,Tags\n"
    "1/15/2026,12000,10.5,$34.65,0,True,False,,\n"
    "1/25/2026,12200,-4,$14.03,0,False,False,,\n"
    "someday,12450,6.75,$22.28,0,True,False,,\n"
    "2/20/2026,12900,11,$36.30,0,perhaps,False,,\n"
    "2/28/2026,13100,9,$30.00,0,True,False,,\n"
)


async def test_a_bad_row_in_the_middle_stores_nothing_and_announces_nothing(quiet_fuel_logs, identity):
    client = quiet_fuel_logs
    flo = identity("flo")
    vehicle_id = await new_vehicle(client, "flo")
    response = await post(client, flo, vehicle_id, BAD_MIDDLE)
    assert response.status == 400
    details = (await response.json())["details"]
    assert {(d["row"], d["field"]) for d in details} == {(3, "quantity"), (4, "date"), (5, "full")}
    assert await fetch(client.settings, "SELECT id FROM fuel_logs") == []
    assert await outbox(client.settings) == []


async def test_dry_run_reports_and_writes_nothing(quiet_fuel_logs, identity):
    client = quiet_fuel_logs
    gus = identity("gus")
    vehicle_id = await new_vehicle(client, "gus")
    response = await post(client, gus, vehicle_id, BAD_MIDDLE, "?dryRun=true")
    assert response.status == 200
    report = await response.json()
    ImportReport.model_validate(report)
    assert report["dryRun"] is True and report["counts"]["fillUps"] == 2 and report["counts"]["rejected"] == 3
    assert [r["row"] for r in report["rejected"]] == [3, 4, 5]
    assert await fetch(client.settings, "SELECT id FROM fuel_logs") == [] and await outbox(client.settings) == []
    # After a real import, a dry run counts the rows as already imported.
    await post(client, gus, vehicle_id, sample("fuelio.csv"))
    dry = await (await post(client, gus, vehicle_id, sample("fuelio.csv"), "?dryRun=true")).json()
    assert dry["counts"] == {"fillUps": 0, "serviceRecords": 0, "alreadyImported": 4, "otherService": 1,
                             "ignored": 2, "rejected": 0}


async def test_refusals(fuel_logs, identity):
    hal = identity("hal")
    vehicle_id = await new_vehicle(fuel_logs, "hal")
    unknown = await post(fuel_logs, hal, vehicle_id, "foo,bar\n1,2\n")
    assert unknown.status == 400
    problem = (await unknown.json())["details"][0]
    assert problem["field"] == "header" and "fuelly, fuelio, drivvo, lubelogger, motovault" in problem["message"]
    named = await post(fuel_logs, hal, vehicle_id, sample("lubelogger_gas.csv"), "?format=fuelly")
    assert named.status == 400 and "not a fuelly export" in (await named.json())["details"][0]["message"]
    bad_format = await post(fuel_logs, hal, vehicle_id, sample("lubelogger_gas.csv"), "?format=acar")
    assert bad_format.status == 400 and (await bad_format.json())["details"][0]["field"] == "format"
    nul = await post(fuel_logs, hal, vehicle_id, sample("motovault_fuel_logs.csv").replace("exported", "ex\x00"))
    assert nul.status == 400 and (await nul.json())["details"][0]["field"] == "file"
    wrong_type = await fuel_logs.post(f"/api/fuel-logs/vehicle/{vehicle_id}/import", data=b"{}",
                                      headers={**hal, "Content-Type": "application/json"})
    assert wrong_type.status == 415


async def test_files_over_the_size_limit_are_refused(backed_settings, serve, identity):
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", import_max_bytes=200))
    client = await serve(create_app(settings))
    client.settings = settings
    ivo = identity("ivo")
    vehicle_id = await new_vehicle(client, "ivo")
    response = await post(client, ivo, vehicle_id, sample("fuelio.csv"))
    assert response.status == 413
    assert await fetch(settings, "SELECT id FROM fuel_logs") == []
