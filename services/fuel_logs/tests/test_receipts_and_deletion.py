"""Receipts by presigned upload and download; removed with the fill-up and with the vehicle.
Deleting a vehicle removes its fill-ups and receipts, and a replayed event changes nothing more."""

from __future__ import annotations

import uuid

import aiohttp

from services.fuel_logs.app import create_app
from services.fuel_logs.settings import FuelLogsSettings
from shared.events import Event
from shared.storage import STORAGE
from shared.testing.waiting import eventually

from .conftest import apply, delete_vehicle, fetch, new_vehicle

FILL = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1000, "fuelUnits": 10, "costPerUnit": 3.5}
RECEIPT = b"%PDF-1.4 receipt: 10 gal at 3.50"


async def fill_up(client, headers, vehicle_id, **fields) -> dict:
    response = await client.post("/api/fuel-logs", json={**FILL, "vehicleId": vehicle_id, **fields}, headers=headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def upload_receipt(client, headers, log_id) -> None:
    started = await client.post(f"/api/fuel-logs/{log_id}/receipt", json={"contentType": "application/pdf"}, headers=headers)
    assert started.status == 201, await started.text()
    form = await started.json()
    data = aiohttp.FormData()
    for name, value in form["fields"].items():
        data.add_field(name, value)
    data.add_field("file", RECEIPT, filename="receipt.pdf", content_type="application/pdf")
    async with aiohttp.ClientSession() as http, http.post(form["uploadUrl"], data=data) as uploaded:
        assert uploaded.status in (200, 201, 204), await uploaded.text()


async def receipt_key(client, log_id) -> str:
    rows = await fetch(client.settings, "SELECT receipt_key FROM fuel_logs WHERE id = $1", uuid.UUID(log_id))
    return rows[0]["receipt_key"]


def removed_from_storage(client, key):
    async def gone() -> bool:
        return await client.server.app[STORAGE].head(key) is None

    return gone


async def test_receipt_upload_download_and_removal_with_the_fill_up(fuel_logs, identity):
    ann = identity("ann")
    vehicle_id = await new_vehicle(fuel_logs, "ann")
    log = await fill_up(fuel_logs, ann, vehicle_id)
    assert (await fuel_logs.get(f"/api/fuel-logs/{log['id']}/receipt", headers=ann)).status == 404  # none yet

    await upload_receipt(fuel_logs, ann, log["id"])
    download = await fuel_logs.get(f"/api/fuel-logs/{log['id']}/receipt", headers=ann)
    assert download.status == 200
    link = await download.json()
    assert link["contentType"] == "application/pdf"
    async with aiohttp.ClientSession() as http, http.get(link["url"]) as stored:
        assert stored.status == 200 and await stored.read() == RECEIPT
    assert (await (await fuel_logs.get(f"/api/fuel-logs/{log['id']}", headers=ann)).json())["hasReceipt"] is True

    key = await receipt_key(fuel_logs, log["id"])
    assert (await fuel_logs.delete(f"/api/fuel-logs/{log['id']}", headers=ann)).status == 204
    await eventually(removed_from_storage(fuel_logs, key))


async def test_a_new_receipt_replaces_and_removes_the_old_one(fuel_logs, identity):
    ben = identity("ben")
    log = await fill_up(fuel_logs, ben, await new_vehicle(fuel_logs, "ben"))
    await upload_receipt(fuel_logs, ben, log["id"])
    first = await receipt_key(fuel_logs, log["id"])
    await upload_receipt(fuel_logs, ben, log["id"])
    assert await receipt_key(fuel_logs, log["id"]) != first
    await eventually(removed_from_storage(fuel_logs, first))
    assert (await fuel_logs.delete(f"/api/fuel-logs/{log['id']}/receipt", headers=ben)).status == 204
    assert (await fuel_logs.get(f"/api/fuel-logs/{log['id']}/receipt", headers=ben)).status == 404


async def test_bad_receipt_request_is_400(fuel_logs, identity):
    cid = identity("cid")
    log = await fill_up(fuel_logs, cid, await new_vehicle(fuel_logs, "cid"))
    response = await fuel_logs.post(f"/api/fuel-logs/{log['id']}/receipt", json={"contentType": "text/html"}, headers=cid)
    assert response.status == 400
    assert [d["field"] for d in (await response.json())["details"]] == ["contentType"]


async def test_vehicle_deleted_removes_fill_ups_and_receipts_and_a_replay_changes_nothing(backed_settings, serve, identity):
    # Broker unreachable: emitted events stay in the outbox where the test reads them.
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", amqp_url="amqp://guest:guest@127.0.0.1:1/"))
    fuel_logs = await serve(create_app(settings))
    fuel_logs.settings = settings
    dan = identity("dan")
    vehicle_id = await new_vehicle(fuel_logs, "dan")
    kept_vehicle = await new_vehicle(fuel_logs, "dan")
    logs = [await fill_up(fuel_logs, dan, vehicle_id, odometerReading=1000 + 300 * n,
                          locationData={"placeId": f"station-{n}"}) for n in range(3)]
    kept = await fill_up(fuel_logs, dan, kept_vehicle)
    for log in logs[:2]:
        await upload_receipt(fuel_logs, dan, log["id"])
    keys = [await receipt_key(fuel_logs, log["id"]) for log in logs[:2]]
    await fetch(fuel_logs.settings, "DELETE FROM outbox")  # only what the deletion emits is left to see
    assert len(await (await fuel_logs.get("/api/fuel-logs", headers=dan)).json()) == 4  # cached now

    event = await delete_vehicle(fuel_logs, vehicle_id, "dan")
    remaining = await fetch(fuel_logs.settings, "SELECT id FROM fuel_logs WHERE vehicle_id = $1", uuid.UUID(vehicle_id))
    assert remaining == []
    for key in keys:
        await eventually(removed_from_storage(fuel_logs, key))
    emitted = await fetch(fuel_logs.settings, "SELECT routing_key FROM outbox")
    assert [r["routing_key"] for r in emitted] == ["fuel_log.deleted.v1"] * 3
    assert (await fuel_logs.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=dan)).status == 404
    assert (await fuel_logs.get(f"/api/fuel-logs/{logs[0]['id']}", headers=dan)).status == 404

    # The same event again (a new delivery of it, as after a replay from the dead-letter queue).
    replay = Event(type=event.type, version=event.version, data=event.data, producer=event.producer,
                   user_id=event.user_id)
    await apply(fuel_logs, replay)
    assert len(await fetch(fuel_logs.settings, "SELECT routing_key FROM outbox")) == 3  # nothing more emitted
    assert [r["id"] for r in await fetch(fuel_logs.settings, "SELECT id FROM fuel_logs")] == [uuid.UUID(kept["id"])]
    projection = await fetch(fuel_logs.settings, "SELECT deleted FROM vehicle_projection WHERE vehicle_id = $1",
                             uuid.UUID(vehicle_id))
    assert [r["deleted"] for r in projection] == [True]


async def test_a_receipt_started_but_never_uploaded_is_404(fuel_logs, identity):
    eli = identity("eli")
    log = await fill_up(fuel_logs, eli, await new_vehicle(fuel_logs, "eli"))
    assert (await (await fuel_logs.get("/api/fuel-logs", headers=eli)).json())[0]["hasReceipt"] is False  # cached now
    started = await fuel_logs.post(f"/api/fuel-logs/{log['id']}/receipt", json={"contentType": "image/png"}, headers=eli)
    assert started.status == 201
    download = await fuel_logs.get(f"/api/fuel-logs/{log['id']}/receipt", headers=eli)
    assert download.status == 404
    assert (await download.json())["message"] == "The receipt has not been uploaded yet"
    listed = await (await fuel_logs.get("/api/fuel-logs", headers=eli)).json()
    assert listed[0]["hasReceipt"] is True  # the cached list was dropped once the upload was recorded
