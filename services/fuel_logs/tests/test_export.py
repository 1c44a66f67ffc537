"""The fuel logs part of the account export: every fill-up with the economy the API shows, the
CSV export's rows, receipt links; the streaming economy walk equals the whole-chain computation."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest

from services.fuel_logs.domain.economy import Fill, chain, intervals
from services.fuel_logs.domain.export import EconomyWalk

from .conftest import new_vehicle
from .test_receipts_and_deletion import RECEIPT, fill_up, upload_receipt


@pytest.mark.pure
def test_the_walk_closes_the_same_intervals_as_the_whole_chain():
    rng = random.Random(17)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(200):
        fills = [
            Fill(id=str(uuid.UUID(int=rng.getrandbits(128))), date_time=start + timedelta(days=rng.randint(0, 60)),
                 odometer=Decimal(rng.randint(0, 40) * 25), trip_distance=None,
                 fuel=Decimal(rng.choice([0, 5, 10, 12])), is_full=rng.random() < 0.7,
                 missed_previous=rng.random() < 0.15)
            for _ in range(rng.randint(1, 12))
        ]
        walk = EconomyWalk()
        walked = [closed for fill, _ in chain(fills) if (closed := walk.closing(fill)) is not None]
        assert walked == intervals(fills)


def parsed(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode().splitlines()]


async def test_export_matches_the_api_lists_and_the_csv_export(fuel_logs, identity):
    iris = identity("iris")
    car, van = await new_vehicle(fuel_logs, "iris"), await new_vehicle(fuel_logs, "iris")
    await new_vehicle(fuel_logs, "other")
    first = await fill_up(fuel_logs, iris, car, odometerReading=1000)
    await fill_up(fuel_logs, iris, car, dateTime="2026-05-08T08:00:00+00:00", odometerReading=1300, isFullFill=False)
    await fill_up(fuel_logs, iris, car, dateTime="2026-05-15T08:00:00+00:00", odometerReading=1600, fuelUnits=12)
    await fill_up(fuel_logs, iris, car, dateTime="2026-05-20T08:00:00+00:00", odometerReading=1900, fuelType="electric",
                  fuelUnits=30, costPerUnit=0.3)
    # A trip-only entry: this chain's figures come from dates, computed over the whole chain.
    await fill_up(fuel_logs, iris, van, odometerReading=500)
    await fill_up(fuel_logs, iris, van, dateTime="2026-05-09T08:00:00+00:00", odometerReading=None, tripDistance=280)
    await upload_receipt(fuel_logs, iris, first["id"])

    response = await fuel_logs.get("/api/fuel-logs/export?units=metric", headers=iris)
    assert response.status == 200, await response.text()
    lines = parsed(await response.read())
    schema = lines[0]
    assert [k["name"] for k in schema["kinds"]] == ["fill_up"] and schema["kinds"][0]["units"]["odometerReading"] == "km"

    listed = await (await fuel_logs.get("/api/fuel-logs?units=metric", headers=iris)).json()
    records = [line for line in lines if line["kind"] == "fill_up"]
    assert sorted((r["record"] for r in records), key=lambda v: v["id"]) == sorted(listed, key=lambda v: v["id"])
    assert any(r["record"]["efficiency"] is not None for r in records)
    assert any(r["record"]["vehicleId"] == van and r["record"]["efficiency"] is not None for r in records)

    # The rows are the vehicle CSV export's rows, column for column.
    exported_csv = await (await fuel_logs.get(f"/api/fuel-logs/vehicle/{car}/export?units=metric",
                                              headers=iris)).text()
    header, *csv_rows = list(csv.reader(io.StringIO(exported_csv)))
    assert schema["kinds"][0]["columns"] == header
    assert sorted(r["csv"] for r in records if r["record"]["vehicleId"] == car) == sorted(csv_rows)

    files = [line for line in lines if line["kind"] == "file"]
    assert [f["of"] for f in files] == [{"kind": "fill_up", "id": first["id"]}]
    async with aiohttp.ClientSession() as http, http.get(files[0]["url"]) as got:
        assert await got.read() == RECEIPT
    assert lines[-1] == {"kind": "end", "counts": {"fill_up": 6, "file": 1}}


async def test_export_of_an_empty_account_and_a_bad_unit(fuel_logs, identity):
    response = await fuel_logs.get("/api/fuel-logs/export", headers=identity("nobody"))
    lines = parsed(await response.read())
    assert [line["kind"] for line in lines] == ["schema", "end"]
    bad = await fuel_logs.get("/api/fuel-logs/export?units=furlongs", headers=identity("nobody"))
    assert bad.status == 400 and "units" in await bad.text()
