"""fuel_log.created/updated/deleted.v1 leave through the outbox with the payload of docs/events.md."""

from __future__ import annotations

import aio_pika
import orjson

from services.fuel_logs.app import create_app
from services.fuel_logs.settings import FuelLogsSettings

from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready

from .conftest import fetch, new_vehicle


async def outbox(settings) -> list[tuple[str, dict]]:
    rows = await fetch(settings, "SELECT routing_key, body FROM outbox ORDER BY id")
    return [(r["routing_key"], orjson.loads(r["body"])) for r in rows]


async def test_fill_up_events_in_canonical_units(backed_settings, serve, identity):
    # Broker unreachable: rows stay in the outbox where the test reads them.
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", amqp_url="amqp://guest:guest@127.0.0.1:1/"))
    client = await serve(create_app(settings))
    client.settings = settings
    eve = identity("eve")
    vehicle_id = await new_vehicle(client, "eve")
    created = await client.post(
        "/api/fuel-logs?units=metric",
        json={"vehicleId": vehicle_id, "dateTime": "2026-05-01T08:00:00+02:00", "odometerReading": 16093.4,
              "fuelUnits": 37.854, "costPerUnit": 1.9, "fuelType": "gasoline", "fuelGrade": "91",
              "locationData": {"placeId": "ChIJstation"}},
        headers=eve,
    )
    assert created.status == 201, await created.text()
    log_id = (await created.json())["id"]
    await client.put(f"/api/fuel-logs/{log_id}", json={"isFullFill": False}, headers=eve)
    await client.delete(f"/api/fuel-logs/{log_id}", headers=eve)

    (k1, created_event), (k2, updated_event), (k3, deleted_event) = await outbox(settings)
    assert (k1, k2, k3) == ("fuel_log.created.v1", "fuel_log.updated.v1", "fuel_log.deleted.v1")
    assert created_event["userId"] == "eve" and created_event["producer"] == "fuel_logs"
    assert created_event["data"] == {
        "fuelLogId": log_id, "vehicleId": vehicle_id, "dateTime": "2026-05-01T06:00:00+00:00",
        "odometerReading": 10000, "tripDistance": None,  # 16093.4 km = 9999.99... mi, one decimal
        "fuelType": "gasoline", "fuelGrade": "91",
        "fuelUnits": "10.000",  # 37.854 L in US gallons
        "costPerUnit": "7.192",  # 1.90/L per US gallon
        "totalCost": "71.92",  # 37.854 x 1.90, to the cent
        "isFullFill": True, "stationPlaceId": "ChIJstation",
    }
    assert updated_event["data"]["isFullFill"] is False and updated_event["data"]["fuelLogId"] == log_id
    assert deleted_event["data"] == {"fuelLogId": log_id, "vehicleId": vehicle_id, "stationPlaceId": "ChIJstation"}


async def test_an_event_written_with_its_fill_up_equals_one_built_from_the_stored_row(backed_settings, serve, identity):
    """The fill-up and its event go in one statement, the event built before the insert: it must
    say exactly what the stored row says, whatever the units, precision and time zone."""
    from services.fuel_logs import events, repository

    settings = FuelLogsSettings(**await backed_settings("fuel_logs", amqp_url="amqp://guest:guest@127.0.0.1:1/"))
    client = await serve(create_app(settings))
    client.settings = settings
    zoe = identity("zoe")
    vehicle_id = await new_vehicle(client, "zoe")
    fills = [
        ("uk", {"dateTime": "2026-01-31T23:59:59.999999-11:00", "odometerReading": 123456.7, "fuelUnits": 41.237,
                "costPerUnit": 1.479, "fuelType": "diesel", "fuelGrade": "#2"}),
        ("metric_kml", {"dateTime": "2026-02-28T00:00:00+05:45", "odometerReading": 200001.9, "fuelUnits": 0.001,
                        "costPerUnit": 2.0, "fuelType": "gasoline", "isFullFill": False}),
        ("imperial", {"dateTime": "2026-03-01T12:00:00Z", "tripDistance": 321.9, "fuelUnits": 63.5, "costPerUnit": 0.31,
                      "fuelType": "electric", "totalCost": 19.69}),
    ]
    for units, fill in fills:
        answer = await client.post(f"/api/fuel-logs?units={units}", json={"vehicleId": vehicle_id, **fill}, headers=zoe)
        assert answer.status == 201, await answer.text()
    stored = await fetch(settings, "SELECT * FROM fuel_logs ORDER BY date_time")
    written = {event["data"]["fuelLogId"]: event["data"] for _, event in await outbox(settings)}
    assert len(stored) == len(fills) == len(written)
    for row in stored:
        rebuilt = events.fuel_log_created(repository._decoded(row)).data
        assert written[str(row["id"])] == rebuilt


async def test_a_fill_up_is_published_as_soon_as_it_commits(backed_settings, serve, identity):
    """Its outbox row is written by the fill-up's own statement, not by enqueue(): the use case
    wakes the relay itself. A poll a minute apart could not publish it within the wait."""
    settings = FuelLogsSettings(**await backed_settings("fuel_logs", outbox_poll_interval=60.0))
    client = await serve(create_app(settings))
    await until_ready(client)
    client.settings = settings
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        tap = await channel.declare_queue(exclusive=True)
        await tap.bind(exchange, "fuel_log.created.v1")
        vehicle_id = await new_vehicle(client, "eve")
        created = await client.post("/api/fuel-logs", json={
            "vehicleId": vehicle_id, "dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1000,
            "fuelUnits": 10, "costPerUnit": 3.5, "fuelType": "gasoline"}, headers=identity("eve"))
        assert created.status == 201, await created.text()
        received: list[dict] = []

        async def published():
            message = await tap.get(fail=False, no_ack=True)
            if message is not None:
                received.append(orjson.loads(message.body))
            return bool(received)

        await eventually(published, timeout=10)
        assert received[0]["data"]["fuelLogId"] == (await created.json())["id"]
    finally:
        await connection.close()
