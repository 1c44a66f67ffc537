"""A running maintenance service, vehicles seeded into its projection, and a spy on its events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import aio_pika
import asyncpg
import orjson
import pytest

from services.maintenance import repository
from services.maintenance.app import create_app
from services.maintenance.settings import MaintenanceSettings
from shared.events import Event
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready


@pytest.fixture
async def maintenance(backed_settings, serve):
    """The service on a real socket, ready (its queue consumed), settings at `.settings`."""
    settings = MaintenanceSettings(**await backed_settings("maintenance"))
    client = await serve(create_app(settings))
    await until_ready(client)
    client.settings = settings
    return client


@pytest.fixture
def db(maintenance):
    """Run a coroutine with a connection to the service's database."""

    async def run(work):
        conn = await asyncpg.connect(maintenance.settings.database_url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return run


@pytest.fixture
def vehicle(db):
    """Seed a live vehicle of a user straight into the projection (as vehicle.created would)."""

    async def seed(user_id: str, odometer: int = 0) -> str:
        vehicle_id = uuid.uuid4()

        async def upsert(conn):
            await repository.upsert_vehicle(conn, vehicle_id, user_id, Decimal(odometer), datetime.now(UTC))

        await db(upsert)
        return str(vehicle_id)

    return seed


class EventSpy:
    """Every event the service publishes on its exchange, as the envelopes' JSON."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    def of(self, event_type: str) -> list[dict]:
        return [event for event in self.seen if event["type"] == event_type]

    async def wait_for(self, event_type: str, count: int = 1) -> list[dict]:
        async def arrived():
            return len(self.of(event_type)) >= count

        await eventually(arrived)
        return self.of(event_type)


@pytest.fixture
async def spy(maintenance):
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        maintenance.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="maintenance.#")
    watcher = EventSpy()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            watcher.seen.append(orjson.loads(message.body))

    await queue.consume(on_message)
    yield watcher
    await connection.close()


@pytest.fixture
async def publish(maintenance):
    """Publish an event on the service's exchange, as the vehicles service's relay would."""
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        maintenance.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )

    async def send(event: Event) -> None:
        await exchange.publish(aio_pika.Message(event.to_json(), message_id=str(event.id)), routing_key=event.routing_key)

    yield send
    await connection.close()


async def settle(seconds: float = 0.3) -> None:
    """Give a wrongly emitted second event the time to show up before asserting it did not."""
    await asyncio.sleep(seconds)
