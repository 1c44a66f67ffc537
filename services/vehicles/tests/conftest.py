"""Fixtures of the vehicles tests: the service on real infrastructure, vPIC as a local stand-in."""

from __future__ import annotations

import uuid
from pathlib import Path

import aio_pika
import pytest

from services.vehicles.app import create_app
from services.vehicles.settings import VehiclesSettings
from shared.events import Event
from shared.testing.infra import AMQP_URL
from shared.testing.standin import Reply

FIXTURES = Path(__file__).parent / "fixtures"
VPIC_FIXTURES = FIXTURES / "vpic"
DECODE_ROUTE = "/api/vehicles/DecodeVinValues/{vin}"
NO_BROKER = "amqp://guest:guest@127.0.0.1:1/"
VIN = "1HGCM82633A004352"  # a 2003 Honda Accord; check digit 3 is correct


@pytest.fixture
async def vpic(standin):
    """vPIC's decode endpoint; tests swap `vpic.routes[DECODE_ROUTE]` to change its answer."""
    return await standin({DECODE_ROUTE: Reply.fixture(VPIC_FIXTURES / "decode_vin_values_3VV3B7AXXNM077525.json")})


@pytest.fixture
async def start_vehicles(backed_settings, serve, vpic, infra):
    async def start(**overrides):
        # A Redis prefix per app: cached lists and decodes of one test never answer another's.
        overrides.setdefault("redis_prefix", f"{infra.redis_prefix}vehicles:{uuid.uuid4().hex[:8]}:")
        if "events_exchange" not in overrides:
            # Tests of HTTP behaviour leave events in the outbox (nothing listens on port 1);
            # tests of events pass their own exchange and use the real broker.
            overrides.setdefault("amqp_url", NO_BROKER)
        overrides = {"vpic_base_url": f"{vpic.url}/api", "vpic_timeout": 0.5, **overrides}
        values = await backed_settings("vehicles", **overrides)
        settings = VehiclesSettings(**values)
        client = await serve(create_app(settings))
        client.settings = settings
        return client

    return start


@pytest.fixture
async def vehicles(start_vehicles):
    return await start_vehicles()


async def create_vehicle(client, headers, **fields) -> dict:
    response = await client.post("/api/vehicles", json=fields or {"vin": VIN}, headers=headers)
    assert response.status == 201, await response.text()
    return await response.json()


@pytest.fixture
async def event_tap():
    """Capture events published to an exchange (a private queue bound to the given keys)."""
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()

    async def tap(exchange_name: str, *binding_keys: str) -> list[Event]:
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in binding_keys or ("#",):
            await queue.bind(exchange, key)
        seen: list[Event] = []

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            seen.append(Event.from_json(message.body))
            await message.ack()

        await queue.consume(on_message)
        return seen

    async def publish(exchange_name: str, event: Event) -> None:
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        await exchange.publish(aio_pika.Message(event.to_json(), message_id=str(event.id)), routing_key=event.routing_key)

    tap.publish = publish
    yield tap
    await connection.close()
