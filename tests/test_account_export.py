"""GET /api/account/export through a real edge in front of the real vehicles, fuel logs,
maintenance and stations apps (in this process, on real sockets, PostgreSQL, RabbitMQ, Redis and
moto's S3): the zip holds every kind as JSON and CSV equal to what the API lists, the uploaded
files byte for byte and a manifest; 10,000 fill-ups stream in flat memory; an export during
writes completes; a service down answers 503 before any byte, one failing midway cuts the
download; no token is a 401; the edge's path wins over a service routed at /api/account."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tempfile
import uuid
import zipfile
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp import web

from services.edge.app import create_app as create_edge
from services.edge.settings import EdgeSettings
from services.fuel_logs.app import create_app as create_fuel_logs
from services.fuel_logs.settings import FuelLogsSettings
from services.maintenance.app import create_app as create_maintenance
from services.maintenance.settings import MaintenanceSettings
from services.stations.app import create_app as create_stations
from services.stations.settings import StationsSettings
from services.stations.tests.conftest import API_KEY, FIXTURES as STATIONS_FIXTURES, SEARCH_PATH, TREATS, search
from services.vehicles.app import create_app as create_vehicles
from services.vehicles.settings import VehiclesSettings
from services.vehicles.tests.test_files import DOCUMENT, PDF, PNG, post_form
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL, free_port
from shared.testing.standin import Reply
from shared.testing.waiting import eventually, until_ready

RECEIPT = b"%PDF-1.4 receipt of a fill-up"
KINDS = ("vehicles", "documents", "fill_ups", "maintenance_records", "maintenance_schedules", "saved_stations")


async def start_suite(backed_settings, serve, standin, infra, tmp_path, *, route_table: str | None = None,
                      stations_url: str | None = None, **edge_overrides):
    places = await standin({SEARCH_PATH: Reply.fixture(STATIONS_FIXTURES / "search_nearby_new_assembled.json")})
    vehicles_values = await backed_settings("vehicles")
    exchange = vehicles_values["events_exchange"]
    fuel_logs_settings = FuelLogsSettings(**await backed_settings("fuel_logs", events_exchange=exchange))
    apps = {
        "vehicles": create_vehicles(VehiclesSettings(**vehicles_values)),
        "fuel_logs": create_fuel_logs(fuel_logs_settings),
        "maintenance": create_maintenance(MaintenanceSettings(
            **await backed_settings("maintenance", events_exchange=exchange))),
    }
    if stations_url is None:
        apps["stations"] = create_stations(StationsSettings(**await backed_settings(
            "stations", events_exchange=exchange, places_base_url=places.url, places_api_key=API_KEY)))
    services = {name: await serve(app) for name, app in apps.items()}
    for client in services.values():
        await until_ready(client)
    upstreams = {f"upstream_{name}": f"http://127.0.0.1:{client.port}" for name, client in services.items()}
    if stations_url is not None:
        upstreams["upstream_stations"] = stations_url
    port = free_port()
    extra = {"route_table_file": route_table} if route_table else {}
    edge = await serve(create_edge(EdgeSettings(
        host="127.0.0.1", port=port, identity_secret=IDENTITY_SECRET, redis_url=REDIS_URL,
        redis_prefix=infra.redis_prefix + f"edge:{uuid.uuid4().hex[:8]}:",
        response_cache_prefix=vehicles_values["edge_cache_prefix"], rate_limit_api="100000/minute",
        dev_issuer=True, dev_issuer_key_file=str(tmp_path / "issuer.pem"), shutdown_timeout=1.0,
        upstream_timeout=10.0, **upstreams, **extra, **edge_overrides,
    )), port=port)
    edge.services = services
    edge.fuel_logs_database = fuel_logs_settings.database_url
    return edge


async def log_in(edge, name: str) -> dict[str, str]:
    response = await edge.post("/api/auth/login", json={"username": name})
    assert response.status == 200, await response.text()
    return {"Authorization": f"Bearer {(await response.json())['accessToken']}"}


async def api(edge, method: str, path: str, auth, **kwargs):
    response = await edge.request(method, path, headers=auth, **kwargs)
    assert response.status < 300, f"{method} {path}: {response.status} {await response.text()}"
    return await response.json() if response.content_type == "application/json" else None


async def download(edge, auth, query: str = "", on_chunk=None) -> Path:
    """The archive, written to disk as it arrives (never whole in this process's memory)."""
    response = await edge.get(f"/api/account/export{query}", headers=auth)
    assert response.status == 200, await response.text()
    assert response.content_type == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="motovault-export-')
    assert response.headers.get("Transfer-Encoding") == "chunked"
    file = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)
    with file:
        async for chunk in response.content.iter_chunked(64 * 1024):
            file.write(chunk)
            if on_chunk is not None:
                on_chunk()
    return Path(file.name)


def member_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def member_csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode())))


async def upload_receipt(edge, auth, fill_up_id: str) -> None:
    form = await api(edge, "POST", f"/api/fuel-logs/{fill_up_id}/receipt", auth, json={"contentType": "application/pdf"})
    data = aiohttp.FormData()
    for name, value in form["fields"].items():
        data.add_field(name, value)
    data.add_field("file", RECEIPT, filename="receipt.pdf", content_type="application/pdf")
    async with aiohttp.ClientSession() as http, http.post(form["uploadUrl"], data=data) as uploaded:
        assert uploaded.status in (200, 201, 204)


async def vehicle_known_everywhere(edge, auth, vehicle_id: str) -> None:
    """Fuel logs and maintenance learn of a vehicle by event: wait until both accept it."""
    async def known() -> bool:
        answer = await edge.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=auth)
        records = await edge.get(f"/api/maintenance/records/vehicle/{vehicle_id}", headers=auth)
        return answer.status == 200 and records.status == 200

    await eventually(known, timeout=20)


async def test_every_kind_as_json_and_csv_with_the_stored_files(backed_settings, serve, standin, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    alice, bob = await log_in(edge, "alice"), await log_in(edge, "bob")
    car = await api(edge, "POST", "/api/vehicles", alice, json={"vin": "1HGCM82633A004352", "odometerReading": 1000})
    await api(edge, "POST", "/api/vehicles", bob, json={"licensePlate": "BOB-1"})
    image = await api(edge, "POST", f"/api/vehicles/{car['id']}/image", alice, json={"contentType": "image/png"})
    assert await post_form(image, PNG) in (200, 201, 204)
    document = await api(edge, "POST", f"/api/vehicles/{car['id']}/documents", alice, json=DOCUMENT)
    assert await post_form(document["upload"], PDF) in (200, 201, 204)
    await vehicle_known_everywhere(edge, alice, car["id"])
    first = await api(edge, "POST", "/api/fuel-logs?units=metric", alice, json={
        "vehicleId": car["id"], "dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1700,
        "fuelUnits": 40, "costPerUnit": 1.899, "notes": "first, \"quoted\", with a comma"})
    await api(edge, "POST", "/api/fuel-logs?units=metric", alice, json={
        "vehicleId": car["id"], "dateTime": "2026-05-09T08:00:00+00:00", "odometerReading": 2300, "fuelUnits": 35,
        "costPerUnit": 1.859})
    await upload_receipt(edge, alice, first["id"])
    # A receipt upload started and never finished: listed as missing, the export still whole.
    second_car = await api(edge, "POST", "/api/vehicles", alice, json={"licensePlate": "AB-123"})
    await api(edge, "POST", f"/api/vehicles/{second_car['id']}/image", alice, json={"contentType": "image/png"})
    await api(edge, "POST", "/api/maintenance/records?units=metric", alice, json={
        "vehicleId": car["id"], "category": "routine_maintenance", "subtypes": ["Engine Oil"], "date": "2026-05-02",
        "odometerReading": 1800, "cost": "59.90"})
    await api(edge, "POST", "/api/maintenance/schedules?units=metric", alice, json={
        "vehicleId": car["id"], "category": "routine_maintenance", "subtypes": ["Engine Oil"], "intervalMonths": 6,
        "intervalDistance": 8000, "lastServiceDate": "2026-05-02", "lastServiceOdometer": 1800})
    await search(edge, alice)
    await api(edge, "POST", "/api/stations/save", alice, json={"placeId": TREATS, "nickname": "Lunch"})

    path = await download(edge, alice, "?units=metric")
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        for kind in KINDS:
            assert {f"{kind}.json", f"{kind}.csv"} <= names, kind
        manifest = member_json(archive, "manifest.json")
        listed = {
            "vehicles": await api(edge, "GET", "/api/vehicles", alice),
            "documents": await api(edge, "GET", f"/api/vehicles/{car['id']}/documents", alice),
            "fill_ups": await api(edge, "GET", "/api/fuel-logs?units=metric", alice),
            "maintenance_records": await api(edge, "GET", "/api/maintenance/records?units=metric", alice),
            "maintenance_schedules": await api(edge, "GET", f"/api/maintenance/schedules/vehicle/{car['id']}?units=metric",
                                               alice),
            "saved_stations": await api(edge, "GET", "/api/stations/saved", alice),
        }
        for station in listed["saved_stations"]:
            station.pop("photoUrl")  # a signed, expiring link: not archived
        for kind, expected in listed.items():
            exported = member_json(archive, f"{kind}.json")
            key = "placeId" if kind == "saved_stations" else "id"
            assert sorted(exported, key=lambda r: r[key]) == sorted(expected, key=lambda r: r[key]), kind
            rows = member_csv(archive, f"{kind}.csv")
            entry = next(e for e in manifest["kinds"].values() if e["json"] == f"{kind}.json")
            assert rows[0] == entry["columns"] and len(rows) == len(expected) + 1 and entry["count"] == len(expected)

        # The fill-ups' CSV is the fuel logs CSV export: same header, same rows.
        exported_csv = await (await edge.get(f"/api/fuel-logs/vehicle/{car['id']}/export?units=metric",
                                             headers=alice)).text()
        expected_rows = list(csv.reader(io.StringIO(exported_csv)))
        rows = member_csv(archive, "fill_ups.csv")
        assert rows[0] == expected_rows[0] and sorted(rows[1:]) == sorted(expected_rows[1:])
        assert manifest["kinds"]["fill_up"]["units"]["odometerReading"] == "km"
        assert manifest["unitSystem"] == "metric" and manifest["exportedAt"]

        assert archive.read(f"files/vehicles/{car['id']}/image.png") == PNG
        assert archive.read(f"files/vehicles/{car['id']}/documents/{document['id']}.pdf") == PDF
        receipt = f"files/fuel-logs/{car['id']}/{first['id']}/receipt"
        assert archive.read(receipt) == RECEIPT
        assert manifest["files"]["count"] == 3
        assert manifest["files"]["missing"] == [f"files/vehicles/{second_car['id']}/image.png"]
        index = {entry["path"]: entry for entry in member_json(archive, "files.json")}
        assert index[receipt]["of"] == {"kind": "fill_up", "id": first["id"]} and index[receipt]["stored"]
    path.unlink()

    # The CSV of the archive re-imports: into a fresh vehicle, the same fill-ups.
    third = await api(edge, "POST", "/api/vehicles", alice, json={"licensePlate": "RE-IMPORT"})
    await vehicle_known_everywhere(edge, alice, third["id"])
    with zipfile.ZipFile(await download(edge, alice, "?units=metric")) as archive:
        fill_ups_csv = archive.read("fill_ups.csv")
    imported = await edge.post(f"/api/fuel-logs/vehicle/{third['id']}/import?units=metric", data=fill_ups_csv,
                               headers={**alice, "Content-Type": "text/csv"})
    assert imported.status == 201, await imported.text()
    assert (await imported.json())["imported"] == 2


async def test_unauthenticated_export_is_401(backed_settings, serve, standin, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    response = await edge.get("/api/account/export")
    assert response.status == 401 and response.content_type == "application/json"


async def test_a_bad_unit_system_is_400_naming_it(backed_settings, serve, standin, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    response = await edge.get("/api/account/export?units=cubits", headers=await log_in(edge, "carol"))
    assert response.status == 400 and "units" in await response.text()


async def test_a_service_down_at_the_start_is_503_before_any_byte(backed_settings, serve, standin, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path,
                             stations_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    response = await edge.get("/api/account/export", headers=await log_in(edge, "dave"))
    assert response.status == 503 and response.content_type == "application/json"
    body = await response.json()
    assert "stations" in body["message"] and response.headers["Retry-After"]


STATIONS_SCHEMA = {"kind": "schema", "service": "stations", "kinds": [
    {"name": "saved_station", "file": "saved_stations", "columns": ["placeId"], "units": {}}]}
A_STATION = {"kind": "saved_station", "record": {"placeId": "x"}, "csv": ["x"]}
UNREACHABLE_FILE = {"kind": "file", "key": "k", "path": "stations/k", "contentType": "image/png",
                    "of": {"kind": "saved_station", "id": "x"}}


@pytest.mark.parametrize("failure", ["connection dies", "no end line", "counts differ", "kind out of order",
                                     "storage unreachable"])
async def test_a_part_failing_midway_cuts_the_download(backed_settings, serve, standin, infra, tmp_path, failure):
    """Stations (a stand-in) starts its part, then fails in one of the ways the edge checks: the
    client must get a broken download, never a well-formed archive that misses data."""

    async def failing_export(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        lines = [STATIONS_SCHEMA, A_STATION]
        if failure == "counts differ":
            lines.append({"kind": "end", "counts": {"saved_station": 2}})
        elif failure == "kind out of order":
            lines += [{"kind": "vehicle", "record": {}, "csv": []}, {"kind": "end", "counts": {"saved_station": 1}}]
        elif failure == "storage unreachable":
            lines += [UNREACHABLE_FILE | {"url": f"http://127.0.0.1:{free_port()}/bucket/k"},
                      {"kind": "end", "counts": {"saved_station": 1, "file": 1}}]
        await response.write(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
        if failure == "connection dies":
            await asyncio.sleep(0.05)
            request.transport.abort()
        return response

    app = web.Application()
    app.router.add_get("/api/stations/export", failing_export)
    failing = await serve(app)
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path,
                             stations_url=f"http://127.0.0.1:{failing.port}")
    response = await edge.get("/api/account/export", headers=await log_in(edge, "erin"))
    assert response.status == 200  # the zip had started
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()


async def test_exports_beyond_the_in_flight_limit_are_503(backed_settings, serve, standin, infra, tmp_path):
    """One export at a time here: a second one while the first is streaming is refused before
    any byte; the first still completes."""
    release = asyncio.Event()

    async def slow_export(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        schema = {"kind": "schema", "service": "stations", "kinds": [
            {"name": "saved_station", "file": "saved_stations", "columns": ["placeId"], "units": {}}]}
        await response.write(json.dumps(schema).encode() + b"\n")
        await release.wait()
        await response.write(b'{"kind": "end", "counts": {"saved_station": 0}}\n')
        return response

    app = web.Application()
    app.router.add_get("/api/stations/export", slow_export)
    slow = await serve(app)
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path, exports_in_flight=1,
                             stations_url=f"http://127.0.0.1:{slow.port}")
    jane = await log_in(edge, "jane")
    first = await edge.get("/api/account/export", headers=jane)
    assert first.status == 200
    second = await edge.get("/api/account/export", headers=jane)
    assert second.status == 503 and second.headers["Retry-After"] and "exports" in (await second.json())["message"]
    release.set()
    with zipfile.ZipFile(io.BytesIO(await first.read())) as archive:
        assert member_json(archive, "saved_stations.json") == []


async def test_the_edge_keeps_its_export_path_under_a_routed_account_prefix(backed_settings, serve, standin, echo_app,
                                                                            infra, tmp_path):
    """Another service may own /api/account (routes.json): /api/account/export stays the edge's."""
    accounts = await serve(echo_app)
    table = json.loads(Path("services/edge/routes.json").read_text())
    table["pools"]["accounts"] = [f"http://127.0.0.1:{accounts.port}"]
    table["routes"].append({"name": "accounts", "prefix": "/api/account", "versions": {"current": "accounts"}})
    route_table = tmp_path / "routes.json"
    route_table.write_text(json.dumps(table))
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path, route_table=str(route_table))
    frank = await log_in(edge, "frank")
    assert (await edge.head("/api/account/export", headers=frank)).status == 405  # not forwarded either
    other = await edge.get("/api/account/status", headers=frank)
    assert other.status == 200 and (await other.json())["path"] == "/api/account/status"
    with zipfile.ZipFile(await download(edge, frank)) as archive:
        assert "manifest.json" in archive.namelist()


async def test_a_service_missing_from_the_route_table_is_503(backed_settings, serve, standin, infra, tmp_path):
    table = json.loads(Path("services/edge/routes.json").read_text())
    table["routes"] = [route for route in table["routes"] if route["name"] != "stations"]
    route_table = tmp_path / "routes.json"
    route_table.write_text(json.dumps(table))
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path, route_table=str(route_table))
    response = await edge.get("/api/account/export", headers=await log_in(edge, "lena"))
    assert response.status == 503 and "stations" in (await response.json())["message"]


@pytest.fixture
def echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


async def test_an_export_during_concurrent_writes_completes_and_is_consistent(backed_settings, serve, standin,
                                                                             infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    gina = await log_in(edge, "gina")
    car = await api(edge, "POST", "/api/vehicles", gina, json={"licensePlate": "GI-1"})
    await vehicle_known_everywhere(edge, gina, car["id"])
    written = 0
    stop = asyncio.Event()

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            await api(edge, "POST", "/api/fuel-logs", gina, json={
                "vehicleId": car["id"], "dateTime": f"2026-01-01T00:{written // 60 % 60:02d}:{written % 60:02d}+00:00",
                "odometerReading": 1000 + written * 10, "fuelUnits": 10, "costPerUnit": 3})
            written += 1

    task = asyncio.create_task(writer())
    try:
        await eventually(lambda: asyncio.sleep(0, written >= 5))
        before = written
        path = await download(edge, gina)
        after = written
    finally:
        stop.set()
        await task
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        fill_ups = member_json(archive, "fill_ups.json")
        manifest = member_json(archive, "manifest.json")
        assert before <= len(fill_ups) <= after + 1
        assert manifest["kinds"]["fill_up"]["count"] == len(fill_ups) == len(member_csv(archive, "fill_ups.csv")) - 1
        assert len({f["id"] for f in fill_ups}) == len(fill_ups)
    path.unlink()


async def bulk_fill_ups(edge, template_id: str, count: int) -> None:
    """`count` copies of a fill-up, a day and 300 miles apart, each with 2 KB of notes, in one statement."""
    conn = await asyncpg.connect(edge.fuel_logs_database)
    try:
        await conn.execute(
            """INSERT INTO fuel_logs (id, user_id, vehicle_id, date_time, odometer_reading, fuel_units, cost_per_unit,
                                      total_cost, fuel_type, is_full_fill, missed_previous, notes)
               SELECT gen_random_uuid(), user_id, vehicle_id, date_time + n * interval '1 day',
                      odometer_reading + n * 300, fuel_units, cost_per_unit, total_cost, fuel_type, n % 3 <> 1,
                      false, repeat('n', 2000)
               FROM fuel_logs, generate_series(1, $2::int) n WHERE id = $1""",
            uuid.UUID(template_id), count)
    finally:
        await conn.close()


async def open_transactions(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND xact_start IS NOT NULL")
    finally:
        await conn.close()


async def test_a_client_leaving_midway_ends_the_services_snapshots(backed_settings, serve, standin, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    kim = await log_in(edge, "kim")
    car = await api(edge, "POST", "/api/vehicles", kim, json={"licensePlate": "KI-1"})
    await vehicle_known_everywhere(edge, kim, car["id"])
    template = await api(edge, "POST", "/api/fuel-logs", kim, json={
        "vehicleId": car["id"], "dateTime": "2000-01-01T08:00:00+00:00", "odometerReading": 100, "fuelUnits": 10,
        "costPerUnit": 3.2})
    await bulk_fill_ups(edge, template["id"], 4999)
    response = await edge.get("/api/account/export", headers=kim)
    assert response.status == 200
    await response.content.readexactly(1024)
    assert await open_transactions(edge.fuel_logs_database) >= 1  # fuel logs is still sending its part
    response.close()

    async def snapshots_ended() -> bool:
        return await open_transactions(edge.fuel_logs_database) == 0

    await eventually(snapshots_ended, timeout=20)
    # The edge serves the next export as before.
    with zipfile.ZipFile(await download(edge, kim)) as archive:
        assert member_json(archive, "manifest.json")["kinds"]["fill_up"]["count"] == 5000


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


async def test_ten_thousand_fill_ups_stream_in_flat_memory(backed_settings, serve, standin, infra, tmp_path):
    """The edge and the fuel logs app run in this process: its resident memory is theirs. Each
    fill-up carries 2 KB of notes, so holding them (rows, views, JSON, CSV) would cost far more
    than the bound; streaming holds a few batches."""
    edge = await start_suite(backed_settings, serve, standin, infra, tmp_path)
    hana, ivan = await log_in(edge, "hana"), await log_in(edge, "ivan")
    car = await api(edge, "POST", "/api/vehicles", hana, json={"licensePlate": "HA-1"})
    small = await api(edge, "POST", "/api/vehicles", ivan, json={"licensePlate": "IV-1"})
    await vehicle_known_everywhere(edge, hana, car["id"])
    await vehicle_known_everywhere(edge, ivan, small["id"])
    template = await api(edge, "POST", "/api/fuel-logs", hana, json={
        "vehicleId": car["id"], "dateTime": "2000-01-01T08:00:00+00:00", "odometerReading": 100, "fuelUnits": 10,
        "costPerUnit": 3.2, "isFullFill": True})
    await api(edge, "POST", "/api/fuel-logs", ivan, json={
        "vehicleId": small["id"], "dateTime": "2026-01-01T08:00:00+00:00", "odometerReading": 100, "fuelUnits": 10,
        "costPerUnit": 3.2})
    await bulk_fill_ups(edge, template["id"], 9999)

    (await download(edge, ivan)).unlink()  # warm: code paths loaded, pools and buffers made
    before = peak = resident_kib()

    def sample() -> None:
        nonlocal peak
        peak = max(peak, resident_kib())

    path = await download(edge, hana, on_chunk=sample)
    sample()
    with zipfile.ZipFile(path) as archive:
        manifest = member_json(archive, "manifest.json")
        assert manifest["kinds"]["fill_up"]["count"] == 10_000
        with archive.open("fill_ups.csv") as rows:
            assert sum(1 for _ in rows) == 10_001
    path.unlink()
    # 10,000 x 2 KB of notes alone is 20 MB, several times over once in rows, views, JSON and CSV.
    assert peak - before < 25 * 1024, f"resident memory grew by {(peak - before) // 1024} MB"
