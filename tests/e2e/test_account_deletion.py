"""Account deletion across the real suite (honcho with deploy/Procfile, driven through the edge):
a user with data and stored files in every service deletes their account; every service removes
the user's rows and files and confirms, the status completes, the user's access tokens stop
working, and another user keeps everything. Maintenance runs as a process of its own here, so one
test can stop it: the deletion waits for it in its queue and completes once it is back.

How the suite is started and isolated is in tests/suite.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import asyncpg
import boto3
import pytest

from shared.testing.waiting import eventually
from tests.suite import (
    CASCADE_TIMEOUT, NEAR_TREATS, S3_KEYS, SERVICES, TREATS, Suite, User, log_in, retry_until_created,
    running_stand_ins, running_suite,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

PNG = b"\x89PNG\r\n\x1a\n" + b"e2e image bytes" * 20
PDF = b"%PDF-1.4 e2e receipt"
DATA_SERVICES = tuple(service for service in SERVICES if service != "accounts")
STOPPED = "maintenance"


@pytest.fixture(scope="module")
async def stand_ins():
    async with running_stand_ins() as both:
        yield both


@pytest.fixture(scope="module")
async def suite(infra, stand_ins, tmp_path_factory):
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("deletion"), name="deletion",
                             separately=(STOPPED,)) as running:
        yield running


@pytest.fixture(scope="module")
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def stored_keys(suite: Suite, service: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=suite.s3, region_name="us-east-1",
                      aws_access_key_id=S3_KEYS[0], aws_secret_access_key=S3_KEYS[1])
    listed = s3.list_objects_v2(Bucket=suite.env[f"{service.upper()}_S3_BUCKET"])
    return [item["Key"] for item in listed.get("Contents", [])]


async def rows_of(suite: Suite, service: str, user_id: str) -> dict[str, int]:
    """The user's rows in every table of the service's database that has a user_id column, but
    user_purges: the record that the user was purged (shared/purges.py) is what stays."""
    conn = await asyncpg.connect(suite.env[f"{service.upper()}_DATABASE_URL"])
    try:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'user_id' "
            "AND table_schema = 'public' AND table_name <> 'user_purges' ORDER BY table_name")
        return {row["table_name"]: await conn.fetchval(
            f'SELECT count(*) FROM "{row["table_name"]}" WHERE user_id = $1', user_id) for row in tables}
    finally:
        await conn.close()


async def upload(http: aiohttp.ClientSession, url: str, fields: dict, content: bytes, content_type: str) -> None:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("file", content, filename="upload", content_type=content_type)
    async with http.post(url, data=form) as response:
        assert response.status in (200, 201, 204), await response.text()


async def data_everywhere(user: User, http: aiohttp.ClientSession, vin: str, year: int = 2022) -> dict:
    """A vehicle with an image and a document, a fill-up with a receipt, a maintenance record and
    schedule, a saved station with a price seen, a notification channel and a calendar feed."""
    vehicle = await user.json("POST", "/api/vehicles", expect=201, json={"vin": vin, "year": year, "nickname": "doomed"})
    vehicle_id = vehicle["id"]
    image = await user.json("POST", f"/api/vehicles/{vehicle_id}/image", expect=201, json={"contentType": "image/png"})
    await upload(http, image["url"], image["fields"], PNG, "image/png")
    document = await user.json("POST", f"/api/vehicles/{vehicle_id}/documents", expect=201, json={
        "documentType": "insurance", "title": "e2e policy", "contentType": "application/pdf",
        "expiryDate": (datetime.now(UTC).date() + timedelta(days=60)).isoformat()})
    await upload(http, document["upload"]["url"], document["upload"]["fields"], PDF, "application/pdf")
    fill_up = await retry_until_created(user, "/api/fuel-logs", {
        "vehicleId": vehicle_id, "dateTime": "2026-04-01T08:00:00+00:00", "odometerReading": 1000,
        "fuelUnits": "10", "costPerUnit": "3.5", "locationData": {"placeId": TREATS}})
    receipt = await user.json("POST", f"/api/fuel-logs/{fill_up['id']}/receipt", expect=201,
                              json={"contentType": "application/pdf"})
    await upload(http, receipt["uploadUrl"], receipt["fields"], PDF, "application/pdf")
    today = datetime.now(UTC).date()
    await retry_until_created(user, "/api/maintenance/records", {
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "date": today.isoformat(), "odometerReading": 1100, "cost": "49.99"})
    await user.json("POST", "/api/maintenance/schedules", expect=201, json={
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "intervalMonths": 6, "lastServiceDate": today.isoformat(), "lastServiceOdometer": 1100})

    async def price_seen() -> bool:
        found = await user.json("POST", "/api/stations/search", json={**NEAR_TREATS, "radius": 2000})
        return any(price for station in found["stations"] for price in station["prices"])

    await eventually(price_seen, CASCADE_TIMEOUT, interval=0.2)
    await user.json("POST", "/api/stations/save", expect=201, json={"placeId": TREATS})
    await user.json("POST", "/api/notifications/channels", expect=201,
                    json={"kind": "webhook", "name": "e2e hook", "url": "http://127.0.0.1:9/hook"})
    await user.json("POST", "/api/notifications/calendar", expect=201)
    return vehicle


async def status_when(user: User, predicate) -> dict:
    seen: dict = {}

    async def holds() -> bool:
        seen.clear()
        seen.update(await user.json("GET", "/api/account/deletion"))
        return predicate(seen)

    await eventually(holds, CASCADE_TIMEOUT, interval=0.2)
    return seen


def done(status: dict) -> set[str]:
    return {entry["service"] for entry in status["services"] if entry["status"] == "done"}


async def delete_account(user: User, http: aiohttp.ClientSession) -> dict:
    async with http.delete(user.edge + "/api/account", headers=user.headers) as response:
        assert response.status == 202, await response.text()
        assert response.headers["Location"] == "/api/account/deletion"
        return await response.json()


async def test_deleting_an_account_removes_everything_in_every_service(suite, http):
    alice = await log_in(http, suite.edge, "alice-leaves")
    bob = await log_in(http, suite.edge, "bob-stays")
    await data_everywhere(alice, http, "3VV3B7AXXNM077525")
    bobs = await data_everywhere(bob, http, "1HGCM82633A004352", year=2003)
    token = await alice.json("POST", "/api/auth/tokens", expect=201, json={"name": "script", "scope": "read"})
    script = User(http, suite.edge, token["token"])
    assert (await script.call("GET", "/api/vehicles"))[0] == 200
    for service in DATA_SERVICES:
        assert any((await rows_of(suite, service, "dev|alice-leaves")).values()), service
    files_before = {service: await asyncio.to_thread(stored_keys, suite, service) for service in ("vehicles", "fuel_logs")}
    assert len(files_before["vehicles"]) == 4 and len(files_before["fuel_logs"]) == 2  # both users' files

    started = await delete_account(alice, http)
    assert started["status"] == "pending"
    assert {entry["service"] for entry in started["services"]} == set(DATA_SERVICES)
    assert (await script.call("GET", "/api/vehicles"))[0] == 401  # the edge revoked the token

    completed = await status_when(alice, lambda status: status["status"] == "completed")
    assert completed["id"] == started["id"] and done(completed) == set(DATA_SERVICES)
    for service in DATA_SERVICES:
        rows = await rows_of(suite, service, "dev|alice-leaves")
        assert rows == dict.fromkeys(rows, 0), service
    for path in ("/api/vehicles", "/api/fuel-logs", "/api/maintenance/records", "/api/stations/saved",
                 "/api/notifications/channels"):
        assert await alice.json("GET", path) == [], path

    async def only_bobs_files_left() -> bool:
        left = {service: await asyncio.to_thread(stored_keys, suite, service) for service in ("vehicles", "fuel_logs")}
        return len(left["vehicles"]) == 2 and len(left["fuel_logs"]) == 1

    await eventually(only_bobs_files_left, CASCADE_TIMEOUT, interval=0.2)
    assert all(key.startswith(f"vehicles/{bobs['id']}/") for key in await asyncio.to_thread(stored_keys, suite, "vehicles"))
    # Bob keeps everything.
    assert [v["id"] for v in await bob.json("GET", "/api/vehicles")] == [bobs["id"]]
    for service in DATA_SERVICES:
        assert any((await rows_of(suite, service, "dev|bob-stays")).values()), service


async def test_a_stopped_service_catches_up_and_repeated_requests_are_idempotent(suite, http):
    carol = await log_in(http, suite.edge, "carol-leaves")
    vehicle = await carol.json("POST", "/api/vehicles", expect=201, json={"vin": "WVWZZZ1JZXW000001", "year": 1999})
    await retry_until_created(carol, "/api/maintenance/records", {
        "vehicleId": vehicle["id"], "category": "routine_maintenance", "subtypes": ["Engine Oil"], "date": "2026-05-01"})
    await retry_until_created(carol, "/api/fuel-logs", {
        "vehicleId": vehicle["id"], "dateTime": "2026-04-01T08:00:00+00:00", "odometerReading": 1000,
        "fuelUnits": "10", "costPerUnit": "3.5"})

    await suite.stop_service(STOPPED)
    started = await delete_account(carol, http)
    others = set(DATA_SERVICES) - {STOPPED}
    waiting = await status_when(carol, lambda status: done(status) == others)
    assert waiting["status"] == "pending" and waiting["completedAt"] is None
    assert (await rows_of(suite, STOPPED, "dev|carol-leaves"))["maintenance_records"] == 1  # it is down
    again = await delete_account(carol, http)  # while pending: the same deletion, nothing new
    assert again["id"] == started["id"] and done(again) == others

    await suite.start_service(STOPPED)
    await suite.wait_service_ready(http, STOPPED)
    completed = await status_when(carol, lambda status: status["status"] == "completed")
    assert completed["id"] == started["id"] and done(completed) == set(DATA_SERVICES)
    rows = await rows_of(suite, STOPPED, "dev|carol-leaves")
    assert rows == dict.fromkeys(rows, 0)

    # After completion a new request starts a new deletion (the user may have created data since).
    await carol.json("POST", "/api/vehicles", expect=201, json={"vin": "WVWZZZ1JZXW000001", "year": 1999})
    renewed = await delete_account(carol, http)
    assert renewed["id"] != started["id"] and renewed["status"] == "pending"
    await status_when(carol, lambda status: status["status"] == "completed" and status["id"] == renewed["id"])
    assert await carol.json("GET", "/api/vehicles") == []


async def test_deletion_needs_a_token(suite, http):
    for method, path in (("DELETE", "/api/account"), ("GET", "/api/account/deletion")):
        async with http.request(method, suite.edge + path) as response:
            assert response.status == 401, f"{method} {path}: {response.status}"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    dave = await log_in(http, suite.edge, "dave-never-asked")
    assert (await dave.call("GET", "/api/account/deletion"))[0] == 404
