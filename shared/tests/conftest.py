from __future__ import annotations

import aio_pika
import pytest

from shared.events import Event
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import until_ready

from .probe import ProbeSettings, create_probe_app


@pytest.fixture
async def probe_settings(backed_settings):
    async def make(**overrides) -> ProbeSettings:
        return ProbeSettings(**await backed_settings("probe", **overrides))

    return make


@pytest.fixture
async def probe(probe_settings, serve):
    """A running probe service, ready (its queue is consumed), with its settings at `.settings`."""
    settings = await probe_settings()
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    client.settings = settings
    return client


@pytest.fixture
async def publish():
    """Publish raw bodies or events to an exchange, as another service's relay would."""
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()

    async def send(exchange_name: str, body: bytes | Event, routing_key: str | None = None) -> None:
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        if isinstance(body, Event):
            routing_key, body = body.routing_key, body.to_json()
        await exchange.publish(aio_pika.Message(body, message_id="raw"), routing_key=routing_key)

    yield send
    await connection.close()
