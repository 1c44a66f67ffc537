"""The whole suite as real processes, started the way `scripts/dev` starts it (honcho with
deploy/Procfile), driven through the edge only: the user's workflow from login to the cascade that
follows deleting a vehicle, another user's view of it, and the edge refusing requests without a
token. Third-party APIs (vPIC, Google Places) are local stand-ins answering recorded bodies.

How the suite is started and isolated is in tests/suite.py, shared with tests/browser.
"""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime, timedelta

import aiohttp
import boto3
import pytest

from shared.testing.waiting import eventually
from tests.suite import (
    BIG_CHILL, CASCADE_TIMEOUT, DECODE_ROUTE, NEAR_TREATS, PLACES_KEY, ROOT, S3_KEYS, SEARCH_ROUTE, SERVICES, TREATS,
    VIN, Suite, User, log_in, retry_until_created, running_stand_ins, running_suite,
)

# Several seconds of process start-up and shutdown; still part of the default run (and CI).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ROUTE_TABLE = ROOT / "services" / "edge" / "routes.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"e2e image bytes" * 20


@pytest.fixture(scope="module")
async def stand_ins():
    async with running_stand_ins() as both:
        yield both


@pytest.fixture(scope="module")
async def suite(infra, stand_ins, tmp_path_factory):
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="module")
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def stored_keys(suite: Suite, prefix: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=suite.s3, region_name="us-east-1",
                      aws_access_key_id=S3_KEYS[0], aws_secret_access_key=S3_KEYS[1])
    listed = s3.list_objects_v2(Bucket=suite.env["VEHICLES_S3_BUCKET"], Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


FILL_UPS = [
    # (date, odometer, US gallons, full, missed the previous fill): $3.50 a gallon throughout.
    ("2026-04-01", 1000, "10", True, False),   # first full fill: the anchor
    ("2026-04-10", 1150, "4", False, False),   # partial: carried into the next interval
    ("2026-04-20", 1300, "6", True, False),    # closes 300 mi on 10 gal: 30 MPG
    ("2026-05-01", 1700, "8", True, True),     # after a missed fill: a new anchor, no figure
    ("2026-05-10", 1900, "5", True, False),    # closes 200 mi on 5 gal: 40 MPG
]


async def test_the_whole_workflow_through_the_edge(suite, http, stand_ins):
    vpic, places = stand_ins
    alice = await log_in(http, suite.edge, "alice")
    bob = await log_in(http, suite.edge, "bob")

    # --- vehicle with VIN decode (vPIC stand-in) -----------------------------------------------
    decoded = await alice.json("POST", "/api/vehicles/decode-vin", json={"vin": VIN.lower()})
    assert decoded["source"] == "vpic" and vpic.calls[DECODE_ROUTE] == 1
    assert (decoded["year"], decoded["make"], decoded["model"]) == (2022, "VOLKSWAGEN", "Tiguan")
    vehicle = await alice.json("POST", "/api/vehicles", expect=201, json={
        "vin": decoded["vin"], "year": decoded["year"], "make": decoded["make"], "model": decoded["model"],
        "nickname": "e2e Tiguan", "odometerReading": 900,
    })
    vehicle_id = vehicle["id"]
    assert [v["id"] for v in await alice.json("GET", "/api/vehicles")] == [vehicle_id]

    # --- fuel logs: full, partial, missed; economy statistics ------------------------------------
    logs = []
    for day, odometer, gallons, full, missed in FILL_UPS:
        logs.append(await retry_until_created(alice, "/api/fuel-logs", {
            "vehicleId": vehicle_id, "dateTime": f"{day}T08:00:00+00:00", "odometerReading": odometer,
            "fuelUnits": gallons, "costPerUnit": "3.5", "isFullFill": full, "missedPrevious": missed,
            "locationData": {"placeId": TREATS},
        }))
    listed = await alice.json("GET", f"/api/fuel-logs/vehicle/{vehicle_id}")
    assert sorted(log["id"] for log in listed) == sorted(log["id"] for log in logs)
    stats = await alice.json("GET", f"/api/fuel-logs/vehicle/{vehicle_id}/stats")
    assert stats["logCount"] == 5 and stats["totalFuelUnits"] == 33 and stats["totalCost"] == 115.5
    assert stats["totalDistance"] == 900
    assert (stats["bestEfficiency"], stats["worstEfficiency"]) == (40, 30)
    assert stats["averageEfficiency"] == 33.33  # (300 + 200) mi / (10 + 5) gal: the missed gap is left out

    # The fill-ups raise the vehicle's odometer (fuel_log.created -> vehicles).
    async def odometer_raised() -> bool:
        return (await alice.json("GET", f"/api/vehicles/{vehicle_id}"))["odometerReading"] == 1900

    await eventually(odometer_raised, CASCADE_TIMEOUT)

    # --- stations: search (Places stand-in), prices seen in fill-ups, save one -------------------
    async def price_seen_at_treats() -> bool:
        found = await alice.json("POST", "/api/stations/search", json={**NEAR_TREATS, "radius": 2000})
        assert [s["placeId"] for s in found["stations"]] == [TREATS, BIG_CHILL]
        treats = found["stations"][0]
        return any(float(price["costPerUnit"]) == 3.5 for price in treats["prices"])

    await eventually(price_seen_at_treats, CASCADE_TIMEOUT, interval=0.2)
    assert places.calls[SEARCH_ROUTE] == 1  # later searches came from the cache
    assert places.requests[0].headers["X-Goog-Api-Key"] == PLACES_KEY
    saved = await alice.json("POST", "/api/stations/save", expect=201, json={"placeId": TREATS, "nickname": "Lunch"})
    assert saved["placeId"] == TREATS
    assert [s["placeId"] for s in await alice.json("GET", "/api/stations/saved")] == [TREATS]

    # --- maintenance: a schedule, a record that completes it, the upcoming view -----------------
    today = datetime.now(UTC).date()  # the services count days in UTC
    schedule = await retry_until_created(alice, "/api/maintenance/schedules", {
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "intervalMonths": 6, "intervalDistance": 5000,
        "lastServiceDate": (today - timedelta(days=30)).isoformat(), "lastServiceOdometer": 1000,
    })
    assert schedule["nextDueOdometer"] == 6000
    record = await alice.json("POST", "/api/maintenance/records", expect=201, json={
        "vehicleId": vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
        "date": today.isoformat(), "odometerReading": 1950, "cost": "49.99", "shopName": "e2e garage",
    })
    [upcoming] = await alice.json("GET", f"/api/maintenance/upcoming/{vehicle_id}")
    # The record completed the schedule: the next service is 5,000 mi after the record's 1,950.
    assert (upcoming["id"], upcoming["nextDueOdometer"]) == (schedule["id"], 6950)
    assert (upcoming["distanceUntilDue"], upcoming["urgency"]) == (5000, "not_urgent")

    # --- notifications: a document's expiry, learned from vehicles' event, in the calendar feed ---
    expires = today + timedelta(days=60)
    document = await alice.json("POST", f"/api/vehicles/{vehicle_id}/documents", expect=201, json={
        "documentType": "insurance", "title": "e2e policy", "expiryDate": expires.isoformat(),
        "contentType": "application/pdf"})
    feed = await alice.json("POST", "/api/notifications/calendar", expect=201)
    assert feed["url"].startswith(suite.edge + "/api/notifications/calendar/feed/")

    async def expiry_in_the_feed() -> bool:
        async with http.get(feed["url"]) as response:  # no token: a calendar app sends none
            assert response.status == 200 and response.content_type == "text/calendar"
            return f"document-{document['id']}@motovault" in await response.text()

    await eventually(expiry_in_the_feed, CASCADE_TIMEOUT, interval=0.2)

    # --- vehicle image: presigned upload to S3, download through the edge's redirect ------------
    upload = await alice.json("POST", f"/api/vehicles/{vehicle_id}/image", expect=201, json={"contentType": "image/png"})
    form = aiohttp.FormData()
    for name, value in upload["fields"].items():
        form.add_field(name, value)
    form.add_field("file", PNG, filename="car.png", content_type="image/png")
    async with http.post(upload["url"], data=form) as response:
        assert response.status in (200, 201, 204), await response.text()
    async with http.get(suite.edge + f"/api/vehicles/{vehicle_id}/image", headers=alice.headers,
                        allow_redirects=False) as redirect:
        assert redirect.status == 302, await redirect.text()
        location = redirect.headers["Location"]
    assert location.startswith(suite.s3)
    async with http.get(location) as image:
        assert image.status == 200 and await image.read() == PNG
    image_key = upload["fields"]["key"]
    assert await asyncio.to_thread(stored_keys, suite, f"vehicles/{vehicle_id}/") == [image_key]

    # --- another user sees none of it ------------------------------------------------------------
    assert await bob.json("GET", "/api/vehicles") == []
    assert await bob.json("GET", "/api/fuel-logs") == []
    assert await bob.json("GET", "/api/stations/saved") == []
    assert await bob.json("GET", "/api/maintenance/records") == []
    for method, path in [
        ("GET", f"/api/vehicles/{vehicle_id}"),
        ("GET", f"/api/vehicles/{vehicle_id}/image"),
        ("GET", f"/api/fuel-logs/{logs[0]['id']}"),
        ("GET", f"/api/fuel-logs/vehicle/{vehicle_id}"),
        ("GET", f"/api/fuel-logs/vehicle/{vehicle_id}/stats"),
        ("GET", f"/api/maintenance/records/{record['id']}"),
        ("GET", f"/api/maintenance/schedules/{schedule['id']}"),
        ("GET", f"/api/maintenance/upcoming/{vehicle_id}"),
        ("DELETE", f"/api/stations/saved/{TREATS}"),
        ("DELETE", f"/api/fuel-logs/{logs[0]['id']}"),
        ("DELETE", f"/api/vehicles/{vehicle_id}"),
    ]:
        status, body = await bob.call(method, path, allow_redirects=False)
        assert status == 404, f"bob {method} {path}: {status} {body!r}"
    # Bob's attempts changed nothing of Alice's.
    assert [s["placeId"] for s in await alice.json("GET", "/api/stations/saved")] == [TREATS]
    assert len(await alice.json("GET", f"/api/fuel-logs/vehicle/{vehicle_id}")) == len(FILL_UPS)

    # --- deleting the vehicle removes its fuel logs, maintenance items and stored files ----------
    await alice.call("DELETE", f"/api/vehicles/{vehicle_id}", expect=204)
    await alice.call("GET", f"/api/vehicles/{vehicle_id}", expect=404)
    assert await alice.json("GET", "/api/vehicles") == []

    async def fuel_logs_gone() -> bool:
        status, _ = await alice.call("GET", f"/api/fuel-logs/vehicle/{vehicle_id}")
        return status == 404 and await alice.json("GET", "/api/fuel-logs") == []

    async def maintenance_gone() -> bool:
        return (
            await alice.json("GET", "/api/maintenance/records") == []
            and (await alice.call("GET", f"/api/maintenance/schedules/{schedule['id']}"))[0] == 404
            and (await alice.call("GET", f"/api/maintenance/upcoming/{vehicle_id}"))[0] == 404
        )

    async def files_gone() -> bool:
        return await asyncio.to_thread(stored_keys, suite, f"vehicles/{vehicle_id}/") == []

    async def prices_forgotten() -> bool:
        # fuel_logs announces each fill-up it removed (fuel_log.deleted); stations drops its price.
        found = await alice.json("POST", "/api/stations/search", json={**NEAR_TREATS, "radius": 2000})
        return found["stations"][0]["placeId"] == TREATS and found["stations"][0]["prices"] == []

    await eventually(fuel_logs_gone, CASCADE_TIMEOUT)
    await eventually(prices_forgotten, CASCADE_TIMEOUT, interval=0.2)
    await eventually(maintenance_gone, CASCADE_TIMEOUT)
    await eventually(files_gone, CASCADE_TIMEOUT)
    assert (await alice.call("GET", f"/api/fuel-logs/{logs[0]['id']}"))[0] == 404
    assert (await alice.call("GET", f"/api/maintenance/records/{record['id']}"))[0] == 404
    # A vehicle of another user was never in the way: Bob can still work with his own.
    bobs = await bob.json("POST", "/api/vehicles", expect=201, json={"vin": "1HGCM82633A004352", "year": 2003})
    assert [v["id"] for v in await bob.json("GET", "/api/vehicles")] == [bobs["id"]]


async def test_a_personal_access_token_works_as_its_owner_until_revoked(suite, http):
    """The edge's token database as deploy/local.env configures it (EDGE_DATABASE_URL)."""
    carol = await log_in(http, suite.edge, "carol")
    vehicle = await carol.json("POST", "/api/vehicles", expect=201, json={"vin": "WVWZZZ1JZXW000001", "year": 1999})
    created = await carol.json("POST", "/api/auth/tokens", expect=201, json={"name": "e2e script", "scope": "read"})
    script = User(http, suite.edge, created["token"])
    assert [v["id"] for v in await script.json("GET", "/api/vehicles")] == [vehicle["id"]]
    assert (await script.call("DELETE", f"/api/vehicles/{vehicle['id']}"))[0] == 403
    await carol.json("DELETE", f"/api/auth/tokens/{created['id']}", expect=204)
    assert (await script.call("GET", "/api/vehicles"))[0] == 401
    assert (await carol.call("GET", f"/api/vehicles/{vehicle['id']}"))[0] == 200  # the read-only token wrote nothing


def every_route_prefix() -> list[str]:
    table = json.loads(ROUTE_TABLE.read_text())
    return [route["prefix"] for route in table["routes"]]


async def test_no_token_is_refused_on_every_route_prefix(suite, http):
    prefixes = every_route_prefix()
    assert {"/api/vehicles", "/api/fuel-logs", "/api/stations", "/api/maintenance"} <= set(prefixes)
    requests = [("GET", "/api/auth/me"), ("POST", "/api/ai/generate")]
    for prefix in prefixes:
        requests += [("GET", prefix), ("GET", prefix + "/some-id"), ("POST", prefix), ("DELETE", prefix + "/some-id")]
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"X-User-Id": "dev|alice"}):
        for method, path in requests:
            async with http.request(method, suite.edge + path, headers=headers, json={}) as response:
                assert response.status == 401, f"{method} {path} with {headers}: {response.status}"
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                assert (await response.json())["statusCode"] == 401


async def test_the_services_refuse_calls_that_bypass_the_edge(suite, http):
    paths = {"vehicles": "/api/vehicles", "fuel_logs": "/api/fuel-logs",
             "stations": "/api/stations/saved", "maintenance": "/api/maintenance/records",
             "notifications": "/api/notifications/channels", "accounts": "/api/account/deletion"}
    for service, path in paths.items():
        url = f"http://127.0.0.1:{suite.ports[service]}{path}"
        async with http.get(url, headers={"X-User-Id": "dev|alice"}) as response:
            assert response.status == 401, f"{service}: {response.status}"


async def test_the_suite_stops_on_sigterm(suite):
    # Last in this module: stop honcho as a terminal's Ctrl-C / an init system would.
    returncode = await suite.stop(signal.SIGTERM, timeout=30)
    output = suite.log()
    assert returncode == 143, output  # honcho's exit status after SIGTERM
    assert "SIGKILL" not in output, output  # every process stopped within honcho's grace period
    for name in ("s3", "edge", *SERVICES):
        assert f"{name}.1 stopped (rc=0)" in output, output
    assert '"level":"ERROR"' not in output, output
