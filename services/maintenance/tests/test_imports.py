"""Importing service records from Fuelly, Fuelio, Drivvo, LubeLogger and our own export; the
records' CSV export; dry run, all or nothing, a repeated import adding nothing, imported events."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal as D
from pathlib import Path

import asyncpg
import orjson
import pytest

from services.maintenance.app import create_app
from services.maintenance.domain.imports import subtypes_for
from services.maintenance.settings import MaintenanceSettings
from shared.imports.report import ImportReport

SAMPLES = Path(__file__).parents[3] / "shared" / "tests" / "fixtures" / "imports"
CSV = {"Content-Type": "text/csv"}
ANN = "auth0|ann"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


@pytest.fixture
async def quiet(backed_settings, serve):
    """The service with the broker unreachable: events stay in the outbox, where tests read them."""
    settings = MaintenanceSettings(**await backed_settings("maintenance", amqp_url="amqp://guest:guest@127.0.0.1:1/"))
    client = await serve(create_app(settings))
    client.settings = settings
    return client


async def query(client, sql: str, *args) -> list[tuple]:
    conn = await asyncpg.connect(client.settings.database_url)
    try:
        return [tuple(row) for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def new_vehicle(client) -> str:
    vehicle_id = uuid.uuid4()
    await query(client, "INSERT INTO vehicle_projection (vehicle_id, user_id) VALUES ($1, $2)", vehicle_id, ANN)
    return str(vehicle_id)


async def stored(client, vehicle_id: str) -> list[tuple]:
    return await query(client, """SELECT date, odometer_reading, cost, category, subtypes, shop_name, notes
                                   FROM maintenance_records WHERE vehicle_id = $1 ORDER BY date""", uuid.UUID(vehicle_id))


async def outbox(client) -> list[dict]:
    return [orjson.loads(body) for (body,) in await query(client, "SELECT body FROM outbox ORDER BY id")]


async def post(client, identity, vehicle_id: str, text: str, params: str = ""):
    return await client.post(f"/api/maintenance/records/vehicle/{vehicle_id}/import{params}", data=text.encode(),
                             headers={**identity(ANN), **CSV})


R = "routine_maintenance"
FORMATS = [
    ("fuelly_services.csv", "", "fuelly", {"serviceRecords": 2, "ignored": 2, "otherService": 0}, [
        (dt.date(2026, 1, 20), D("10320"), D("49.95"), R, ["Engine Oil"], None,
         "engine oil,oil filter — synthetic 0W-20"),
        (dt.date(2026, 3, 2), D("11100"), D("120.00"), R, ["Brakes and Traction Control"], None,
         "brake pads — front pads"),
    ]),
    ("fuelio.csv", "", "fuelio", {"serviceRecords": 1, "ignored": 2, "otherService": 4}, [
        (dt.date(2026, 3, 15), D("31441.382327"), D("89.90"), R, ["Engine Oil"], None, "Oil and filter change — 5W-30"),
    ]),
    ("drivvo.csv", "", "drivvo", {"serviceRecords": 1, "ignored": 1, "otherService": 3}, [
        (dt.date(2026, 2, 12), D("18951.821363"), D("250.00"), R, ["Engine Oil"], "Oficina Central",
         "Oil change — troca de oleo e filtro"),
    ]),
    ("lubelogger_service.csv", "?units=metric", "lubelogger", {"serviceRecords": 3}, [
        (dt.date(2026, 1, 20), D("7518.591426"), D("59.99"), R, ["Engine Oil"], None, "Oil Change — full synthetic"),
        (dt.date(2026, 2, 14), D("7829.277022"), D("45.00"), R, ["Tires", "Wiper Blade"], None,
         "Tire rotation and wiper blades"),
        (dt.date(2026, 3, 1), D("8046.756939"), D("120.00"), R, ["Other"], None, "Detailing"),
    ]),
]


@pytest.mark.parametrize(("name", "params", "format", "counts", "rows"), FORMATS, ids=[f[0] for f in FORMATS])
async def test_each_format_is_imported(quiet, identity, name, params, format, counts, rows):
    vehicle_id = await new_vehicle(quiet)
    response = await post(quiet, identity, vehicle_id, sample(name), params)
    assert response.status == 201, await response.text()
    report = await response.json()
    ImportReport.model_validate(report)  # what the OpenAPI document says it is
    assert report["format"] == format and report["rejected"] == [] and counts.items() <= report["counts"].items()
    assert await stored(quiet, vehicle_id) == rows
    events = await outbox(quiet)
    assert [e["data"]["imported"] for e in events if e["type"] == "maintenance.record_created"] == [True] * len(rows)


async def test_export_reads_back_the_same_records(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    await post(quiet, identity, vehicle_id, sample("lubelogger_service.csv"), "?units=metric")
    exported = await quiet.get(f"/api/maintenance/records/vehicle/{vehicle_id}/export?units=metric",
                               headers=identity(ANN))
    assert exported.status == 200 and exported.content_type == "text/csv"
    text = await exported.text()
    lines = text.splitlines()
    assert lines[0] == "Date,Category,Subtypes,Odometer,Cost,ShopName,Notes"
    assert lines[2] == "2026-02-14,routine_maintenance,Tires|Wiper Blade,12600.0,45.00,,Tire rotation and wiper blades"
    copy = await new_vehicle(quiet)
    again = await post(quiet, identity, copy, text, "?units=metric")
    assert again.status == 201 and (await again.json())["format"] == "motovault"
    assert [r[:6] for r in await stored(quiet, copy)] == [r[:6] for r in await stored(quiet, vehicle_id)]


async def test_a_repeated_import_adds_nothing(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    assert (await post(quiet, identity, vehicle_id, sample("fuelio.csv"))).status == 201
    again = await (await post(quiet, identity, vehicle_id, sample("fuelio.csv"))).json()
    assert again["imported"] == 0 and again["counts"]["alreadyImported"] == 1 and again["recordIds"] == []
    assert len(await stored(quiet, vehicle_id)) == 1 and len(await outbox(quiet)) == 1
    dry = await (await post(quiet, identity, vehicle_id, sample("fuelio.csv"), "?dryRun=true")).json()
    assert dry["counts"] == {"fillUps": 0, "serviceRecords": 0, "alreadyImported": 1, "otherService": 4,
                             "ignored": 2, "rejected": 0}


BAD_MIDDLE = (
    "Date,Description,Cost,Notes,Odometer,Tags\n"
    "1/20/2026,Oil Change,$59.99,,12100,\n"
    "2/30/2026,Brakes,$10.00,,12200,\n"
    "3/1/2026,Wipers,lots,,12300,\n"
    "3/5/2026,Coolant,$20.00,,12400,\n"
)


async def test_a_bad_row_in_the_middle_stores_nothing(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    response = await post(quiet, identity, vehicle_id, BAD_MIDDLE)
    assert response.status == 400
    assert {(d["row"], d["field"]) for d in (await response.json())["details"]} == {(3, "date"), (4, "cost")}
    assert await stored(quiet, vehicle_id) == [] and await outbox(quiet) == []


async def test_dry_run_reports_and_writes_nothing(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    response = await post(quiet, identity, vehicle_id, BAD_MIDDLE, "?dryRun=true")
    assert response.status == 200
    report = await response.json()
    assert report["counts"] == {"fillUps": 0, "serviceRecords": 2, "alreadyImported": 0, "otherService": 0,
                                "ignored": 0, "rejected": 2}
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [(3, "date"), (4, "cost")]
    assert await stored(quiet, vehicle_id) == [] and await outbox(quiet) == []


async def test_refusals(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    unknown = await post(quiet, identity, vehicle_id, "foo;bar\n1;2\n")
    assert unknown.status == 400 and "lubelogger" in (await unknown.json())["details"][0]["message"]
    wrong_type = await quiet.post(f"/api/maintenance/records/vehicle/{vehicle_id}/import", json={"a": 1},
                                  headers=identity(ANN))
    assert wrong_type.status == 415
    someone_elses = await quiet.post(f"/api/maintenance/records/vehicle/{vehicle_id}/import",
                                     data=sample("fuelio.csv").encode(), headers={**identity("auth0|bob"), **CSV})
    assert someone_elses.status == 404


@pytest.mark.pure
@pytest.mark.parametrize(("text", "subtypes"), [
    ("Oil and filter change", ["Engine Oil"]),
    ("tire_rotation", ["Tires"]),
    ("Cabin air filter", ["Cabin Air Filter / Purifier"]),
    ("Replace spark plugs and coolant flush", ["Coolant", "Spark Plug"]),
    ("Car wash", ["Other"]),
])
def test_subtypes_from_free_text(text, subtypes):
    assert subtypes_for(text) == subtypes


async def test_file_size_and_encoding_refusals(backed_settings, serve, identity):
    settings = MaintenanceSettings(**await backed_settings("maintenance", import_max_bytes=100,
                                                           amqp_url="amqp://guest:guest@127.0.0.1:1/"))
    client = await serve(create_app(settings))
    client.settings = settings
    vehicle_id = await new_vehicle(client)
    too_big = await post(client, identity, vehicle_id, sample("lubelogger_service.csv"))
    assert too_big.status == 413
    latin1 = await client.post(f"/api/maintenance/records/vehicle/{vehicle_id}/import",
                               data="Date,Description\n1/1/2026,Öl\n".encode("latin-1"), headers={**identity(ANN), **CSV})
    assert latin1.status == 400 and "UTF-8" in (await latin1.json())["message"]
    assert await stored(client, vehicle_id) == []


@pytest.mark.pure
def test_row_cap_and_empty_files():
    from services.maintenance.domain.imports import ImportQuery, plan_import
    from shared.errors import InvalidInput

    with pytest.raises(InvalidInput) as too_many:
        plan_import(sample("lubelogger_service.csv"), uuid.uuid4(), ImportQuery(), max_rows=2)
    assert too_many.value.message == "At most 2 rows per import; nothing imported"
    with pytest.raises(InvalidInput) as empty:
        plan_import("Date,Description,Cost,Notes,Odometer,Tags\n", uuid.uuid4(), ImportQuery(), max_rows=10)
    assert empty.value.message == "The CSV file has no data rows; nothing imported"


async def test_imported_work_completes_schedules_oldest_first(quiet, identity):
    vehicle_id = await new_vehicle(quiet)
    created = await quiet.post("/api/maintenance/schedules", headers=identity(ANN), json={
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "intervalMonths": 6, "lastServiceDate": "2025-06-01"})
    assert created.status == 201, await created.text()
    text = sample("lubelogger_service.csv") + "4/2/2026,Oil change,$61.00,,13200,\n"
    assert (await post(quiet, identity, vehicle_id, text)).status == 201
    schedule = await (await quiet.get(f"/api/maintenance/schedules/{(await created.json())['id']}",
                                      headers=identity(ANN))).json()
    assert (schedule["lastServiceDate"], schedule["nextDueDate"]) == ("2026-04-02", "2026-10-02")
