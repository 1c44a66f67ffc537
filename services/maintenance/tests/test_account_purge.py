"""account.deletion_requested: maintenance removes every record, schedule, odometer reading and
projected vehicle (tombstones too) of the user, confirms with one account.purged, and leaves
other users alone."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import aio_pika
import asyncpg
import orjson

from services.maintenance import repository
from services.maintenance.consumers import consumers
from shared.events import new_event
from shared.testing.database import in_transaction
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually

from .test_records_api import oil_change
from .test_schedules_api import oil_schedule

ANN, BEN = "auth0|leaving", "auth0|staying"
TABLES = ("maintenance_records", "maintenance_schedules", "vehicle_odometer_readings", "vehicle_projection")


async def test_purge_removes_everything_of_the_user_only(maintenance, identity, vehicle, db, publish):
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(maintenance.settings.events_exchange, "account.purged.v1")
    confirmations: list[dict] = []

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            confirmations.append(orjson.loads(message.body))

    await queue.consume(on_message)
    try:
        for user in (ANN, BEN):
            car = await vehicle(user, odometer=40000)
            assert (await maintenance.post("/api/maintenance/records", json=oil_change(car),
                                           headers=identity(user))).status == 201
            assert (await maintenance.post("/api/maintenance/schedules", json=oil_schedule(car),
                                           headers=identity(user))).status == 201
            await db(lambda conn, car=car, user=user: repository.add_odometer_reading(
                conn, uuid.UUID(car), user, date(2026, 5, 1), Decimal(40100)))
        gone = uuid.uuid4()  # a vehicle deleted earlier: its tombstone names the user too
        await db(lambda conn: repository.delete_vehicle(conn, gone, ANN))

        async def counts(user: str) -> dict[str, int]:
            return {table: await db(lambda conn, table=table: conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE user_id = $1", user)) for table in TABLES}

        assert await counts(ANN) == dict.fromkeys(TABLES, 1) | {"vehicle_projection": 2}
        await publish(new_event("account.deletion_requested", {"userId": ANN, "deletionId": "d-3"},
                                producer="accounts", user_id=ANN))

        async def confirmed() -> bool:
            return bool(confirmations)

        await eventually(confirmed)
        assert confirmations[0]["data"] == {"userId": ANN, "service": "maintenance", "deletionId": "d-3"}
        assert await counts(ANN) == dict.fromkeys(TABLES, 0)
        assert await counts(BEN) == dict.fromkeys(TABLES, 1)
        records = await maintenance.get("/api/maintenance/records", headers=identity(BEN))
        assert len(await records.json()) == 1
    finally:
        await connection.close()


async def test_a_reading_batched_before_the_purge_brings_nothing_back(maintenance, vehicle):
    """The consumer handles a batch in one transaction and writes the readings of a vehicle at its
    end (coalesced): a vehicle.updated of before the deletion, in the batch before the deletion
    request, must not re-create the vehicle once the purge has run."""
    car = await vehicle(ANN, odometer=1000)
    handlers = consumers(maintenance.server.app)
    updated = new_event("vehicle.updated", {"vehicleId": car, "odometerReading": 1200}, producer="vehicles",
                        user_id=ANN)
    request = new_event("account.deletion_requested", {"userId": ANN}, producer="accounts", user_id=ANN)

    async def batch(conn):
        await handlers[updated.routing_key](conn, updated)
        await handlers[request.routing_key](conn, request)

    await in_transaction(maintenance.settings.database_url, batch)
    assert await fetch_rows(maintenance, "SELECT 1 FROM vehicle_projection WHERE user_id = $1", ANN) == []
    assert await fetch_rows(maintenance, "SELECT 1 FROM vehicle_odometer_readings WHERE user_id = $1", ANN) == []

    # The user comes back: a vehicle created after the purge is kept.
    again = new_event("vehicle.created", {"vehicleId": str(uuid.uuid4()), "odometerReading": 10}, producer="vehicles",
                      user_id=ANN)
    await in_transaction(maintenance.settings.database_url, lambda conn: handlers[again.routing_key](conn, again))
    assert len(await fetch_rows(maintenance, "SELECT 1 FROM vehicle_projection WHERE user_id = $1", ANN)) == 1


async def fetch_rows(client, sql, *args):
    conn = await asyncpg.connect(client.settings.database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
