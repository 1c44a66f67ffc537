"""The account export of 10,000 fill-ups through the suite as real processes (honcho, as
scripts/dev starts it): the edge's and the fuel logs service's resident memory, read from
/proc/<pid>/status while the archive streams, stays within a bound far below what holding the
fill-ups would take, and the archive holds them all."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from tests.suite import Suite, log_in, retry_until_created, running_stand_ins, running_suite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

FILL_UPS = 10_000
NOTES_BYTES = 2000  # per fill-up: 20 MB of notes in all, several times that once held as rows, views, JSON, CSV
GROWTH_BOUND_KIB = 25 * 1024


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def service_pid(suite: Suite, name: str) -> int:
    [pid] = suite.started_pids()[name]
    assert f"services.{name}" in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "), \
        "honcho's pid is not the service's Python process"
    return pid


@pytest.fixture
async def suite(infra, tmp_path):
    async with running_stand_ins() as stand_ins, running_suite(infra, stand_ins, tmp_path, name="export") as running:
        yield running


async def download(user, on_chunk) -> Path:
    async with user.http.get(user.edge + "/api/account/export", headers=user.headers) as response:
        assert response.status == 200, await response.text()
        file = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)
        with file:
            async for chunk in response.content.iter_chunked(64 * 1024):
                file.write(chunk)
                on_chunk()
    return Path(file.name)


async def test_ten_thousand_fill_ups_export_in_flat_memory(suite):
    async with aiohttp.ClientSession() as http:
        owner, warm = await log_in(http, suite.edge, "bulk"), await log_in(http, suite.edge, "warm")
        for user, plate in ((owner, "EX-1"), (warm, "EX-2")):
            car = await user.json("POST", "/api/vehicles", 201, json={"licensePlate": plate})
            await retry_until_created(user, "/api/fuel-logs", {
                "vehicleId": car["id"], "dateTime": "2000-01-01T08:00:00+00:00", "odometerReading": 100,
                "fuelUnits": 10, "costPerUnit": 3.2})
        conn = await asyncpg.connect(suite.env["FUEL_LOGS_DATABASE_URL"])
        try:
            owner_template = await conn.fetchval(
                "SELECT id FROM fuel_logs WHERE user_id = 'dev|bulk'")
            await conn.execute(
                """INSERT INTO fuel_logs (id, user_id, vehicle_id, date_time, odometer_reading, fuel_units,
                                          cost_per_unit, total_cost, fuel_type, is_full_fill, notes)
                   SELECT gen_random_uuid(), user_id, vehicle_id, date_time + n * interval '1 day',
                          odometer_reading + n * 300, fuel_units, cost_per_unit, total_cost, fuel_type, n % 3 <> 1,
                          repeat('n', $2::int)
                   FROM fuel_logs, generate_series(1, $3::int) n WHERE id = $1""",
                owner_template, NOTES_BYTES, FILL_UPS - 1)
        finally:
            await conn.close()

        pids = {name: service_pid(suite, name) for name in ("edge", "fuel_logs")}
        (await download(warm, lambda: None)).unlink()  # code paths loaded, pools and buffers made
        before = {name: resident_kib(pid) for name, pid in pids.items()}
        peak = dict(before)

        def sample() -> None:
            for name, pid in pids.items():
                peak[name] = max(peak[name], resident_kib(pid))

        path = await download(owner, sample)
        sample()
    with zipfile.ZipFile(path) as archive:
        with archive.open("fill_ups.csv") as rows:
            assert sum(1 for _ in rows) == FILL_UPS + 1
        assert archive.read("manifest.json").count(b'"count":10000') == 1
    path.unlink()
    grown = {name: peak[name] - before[name] for name in pids}
    assert all(kib < GROWTH_BOUND_KIB for kib in grown.values()), f"resident memory grew (KiB): {grown}"
