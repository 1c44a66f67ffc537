"""account.deletion_requested: fuel logs removes every fill-up and projected vehicle of the user and
queues their receipts, confirms with one account.purged (no fuel_log.deleted per fill-up), and
leaves other users alone."""

from __future__ import annotations

import uuid

import orjson

from services.fuel_logs.app import create_app
from services.fuel_logs.settings import FuelLogsSettings
from shared.events import new_event
from shared.storage import STORAGE
from shared.testing.waiting import eventually

from .conftest import apply, fetch, new_vehicle, vehicle_event
from .test_receipts_and_deletion import fill_up, receipt_key, removed_from_storage, upload_receipt

NO_BROKER = "amqp://guest:guest@127.0.0.1:1/"  # the outbox keeps what the purge enqueued, to be read
ANN, BEN = "auth0|leaving", "auth0|staying"


async def test_purge_removes_the_users_fill_ups_projection_and_receipts_only(backed_settings, serve, identity):
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", amqp_url=NO_BROKER, vehicle_wait_seconds=0.5))
    fuel_logs = await serve(create_app(settings))
    fuel_logs.settings = settings
    ann, ben = identity(ANN), identity(BEN)
    ann_vehicles = [await new_vehicle(fuel_logs, ANN) for _ in range(2)]
    ann_logs = [await fill_up(fuel_logs, ann, vehicle_id) for vehicle_id in ann_vehicles]
    await upload_receipt(fuel_logs, ann, ann_logs[0]["id"])
    ann_receipt = await receipt_key(fuel_logs, ann_logs[0]["id"])
    ben_vehicle = await new_vehicle(fuel_logs, BEN)
    ben_log = await fill_up(fuel_logs, ben, ben_vehicle)
    await upload_receipt(fuel_logs, ben, ben_log["id"])
    ben_receipt = await receipt_key(fuel_logs, ben_log["id"])
    assert len(await (await fuel_logs.get("/api/fuel-logs", headers=ann)).json()) == 2  # cached now
    await fetch(settings, "DELETE FROM outbox")  # only the purge's events are left to look at

    # Committed by vehicles before its own purge, delivered here after ours: it must not bring back a row.
    late = vehicle_event("updated", uuid.UUID(ann_vehicles[0]), ANN, odometer=5000)
    request = new_event("account.deletion_requested", {"userId": ANN, "deletionId": "d-2"},
                        producer="accounts", user_id=ANN)
    await apply(fuel_logs, request)
    await apply(fuel_logs, late)

    for table in ("fuel_logs", "vehicle_projection"):
        assert await fetch(settings, f"SELECT 1 FROM {table} WHERE user_id = $1", ANN) == []
        assert len(await fetch(settings, f"SELECT 1 FROM {table} WHERE user_id = $1", BEN)) == 1
    assert await (await fuel_logs.get("/api/fuel-logs", headers=ann)).json() == []  # the cache forgot too
    await eventually(removed_from_storage(fuel_logs, ann_receipt))
    assert await fuel_logs.server.app[STORAGE].head(ben_receipt) is not None
    outbox = await fetch(settings, "SELECT routing_key, body FROM outbox")
    assert [row["routing_key"] for row in outbox] == ["account.purged.v1"]
    assert orjson.loads(outbox[0]["body"])["data"] == {"userId": ANN, "service": "fuel_logs", "deletionId": "d-2"}
    assert (await fuel_logs.get(f"/api/fuel-logs/{ben_log['id']}", headers=ben)).status == 200

    # The user signs in again and creates a vehicle: events after the purge count.
    await new_vehicle(fuel_logs, ANN)
    assert len(await fetch(settings, "SELECT 1 FROM vehicle_projection WHERE user_id = $1", ANN)) == 1
    await fetch(settings, "DELETE FROM outbox")

    # A second request (redelivered, or a later deletion) finds nothing and confirms again.
    await apply(fuel_logs, new_event("account.deletion_requested", {"userId": ANN}, producer="accounts", user_id=ANN))
    assert [row["routing_key"] for row in await fetch(settings, "SELECT routing_key FROM outbox")] == [
        "account.purged.v1"]
    assert await fetch(settings, "SELECT 1 FROM vehicle_projection WHERE user_id = $1", ANN) == []
