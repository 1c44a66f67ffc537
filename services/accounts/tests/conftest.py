"""A running accounts service, a way to publish the confirmations it consumes, and a listener
for the deletion requests it publishes (as the other services' queues would receive them)."""

from __future__ import annotations

import asyncio

import aio_pika
import pytest

from services.accounts.app import create_app
from services.accounts.settings import AccountsSettings
from shared.events import Event, new_event
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import until_ready

ALICE = "auth0|alice"
BOB = "auth0|bob"


@pytest.fixture
def start_accounts(backed_settings, serve):
    async def start(**overrides):
        settings = AccountsSettings(**(await backed_settings("accounts")) | overrides)
        client = await serve(create_app(settings))
        await until_ready(client)
        client.settings = settings
        return client

    return start


@pytest.fixture
async def accounts(start_accounts):
    return await start_accounts()


class Broker:
    """Publishes on the service's exchange; collects what it publishes under one routing key."""

    def __init__(self, connection: aio_pika.abc.AbstractConnection, exchange: aio_pika.abc.AbstractExchange) -> None:
        self.connection = connection
        self.exchange = exchange
        self.received: list[Event] = []

    async def publish(self, event: Event) -> None:
        await self.exchange.publish(aio_pika.Message(event.to_json(), message_id=str(event.id)),
                                    routing_key=event.routing_key)

    async def listen(self, routing_key: str) -> None:
        channel = await self.connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(self.exchange.name, routing_key)

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.received.append(Event.from_json(message.body))

        await queue.consume(collect)


@pytest.fixture
async def broker(accounts):
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(accounts.settings.events_exchange, aio_pika.ExchangeType.TOPIC,
                                              durable=True)
    watched = Broker(connection, exchange)
    await watched.listen("account.deletion_requested.v1")
    yield watched
    await asyncio.wait_for(connection.close(), 10)


def purged(user_id: str, service: str, deletion_id: str | None) -> Event:
    data = {"userId": user_id, "service": service}
    if deletion_id is not None:
        data["deletionId"] = deletion_id
    return new_event("account.purged", data, producer=service, user_id=user_id)
