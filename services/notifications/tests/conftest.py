"""A running notifications service, the receivers it delivers to (a local SMTP server from
aiosmtpd, an ntfy and webhook stand-in on 127.0.0.1, which the tests' operator setting allows),
and a way to publish the events it consumes."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from dataclasses import dataclass, field

import aio_pika
import asyncpg
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from services.notifications.app import create_app
from services.notifications.settings import NotificationsSettings
from shared.events import Event, new_event
from shared.testing.infra import AMQP_URL, free_port
from shared.testing.standin import StandIn
from shared.testing.waiting import eventually, until_ready

ALICE = "auth0|alice"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks specification's example secret
SMTP_PASSWORD = "smtp-password-never-shown-anywhere"


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "subject": message["Subject"], "text": message.get_content().strip()})
        return "250 Message accepted"


class SmtpServer:
    """A real SMTP server on a fixed free port, which a test can start late (the server was down)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    async def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        await asyncio.to_thread(self._controller.start)

    async def stop(self) -> None:
        if self._controller is not None:
            await asyncio.to_thread(self._controller.stop)
            self._controller = None


@pytest.fixture
async def smtp():
    server = SmtpServer()
    yield server
    await server.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP receiver (ntfy topic, webhook) answering the statuses it is told, in order, then 200."""

    standin: StandIn | None = None
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    redirect_to: str | None = None

    @property
    def url(self) -> str:
        return self.standin.url

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        if self.redirect_to is not None:
            raise web.HTTPTemporaryRedirect(self.redirect_to)
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 400 else "nope")


@pytest.fixture
async def receiver(standin):
    receiver = Receiver()
    receiver.standin = await standin({"/{tail:.*}": receiver.handle})
    return receiver


@pytest.fixture
def start_notifications(backed_settings, serve, smtp):
    async def start(**overrides):
        values = await backed_settings("notifications")
        values.update(
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none", smtp_timeout=2.0,
            smtp_password=SMTP_PASSWORD, smtp_username=None,
            allowed_networks=["127.0.0.1/32"], http_timeout=3.0,
            max_attempts=4, retry_base_seconds=0.2, retry_max_seconds=0.5,
            delivery_poll_interval=0.1, delivery_lease_seconds=10.0,
            expiry_sweep_interval=3600.0,  # tests sweep by hand
        )
        values.update(overrides)
        settings = NotificationsSettings(**values)
        client = await serve(create_app(settings))
        await until_ready(client)
        client.settings = settings
        return client

    return start


@pytest.fixture
async def notifications(start_notifications):
    return await start_notifications()


@pytest.fixture
async def publish(notifications):
    """Publish an event on the service's exchange, as another service's relay would."""
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        notifications.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)

    async def send(event: Event) -> None:
        await exchange.publish(aio_pika.Message(event.to_json(), message_id=str(event.id)),
                               routing_key=event.routing_key)

    yield send
    await connection.close()


def vehicle_event(kind: str, vehicle_id: str, user: str = ALICE, **fields) -> Event:
    data = {"vehicleId": vehicle_id, "vin": None, "year": 2019, "make": "Honda", "model": "CB500X",
            "fuelType": "gasoline", "nickname": "Blue Bike", "odometerReading": 1000} | fields
    return new_event(f"vehicle.{kind}", data, producer="vehicles", user_id=user)


def due_event(vehicle_id: str, schedule_id: str | None = None, user: str = ALICE, **fields) -> Event:
    data = {"scheduleId": schedule_id or str(uuid.uuid4()), "vehicleId": vehicle_id,
            "category": "routine_maintenance", "subtypes": ["Engine Oil"], "dueDate": None,
            "dueOdometer": 45000, "trigger": "odometer", "urgency": "past_due"} | fields
    return new_event("maintenance.schedule_due", data, producer="maintenance", user_id=user)


async def known_vehicle(client, publish, identity, user: str = ALICE, **fields) -> str:
    """A vehicle announced by vehicle.created, once the service has it (its deliveries name it)."""
    vehicle_id = str(uuid.uuid4())
    await publish(vehicle_event("created", vehicle_id, user, **fields))

    async def known():
        rows = await fetch(client, "SELECT 1 FROM vehicle_projection WHERE vehicle_id = $1", uuid.UUID(vehicle_id))
        return bool(rows)

    await eventually(known)
    return vehicle_id


async def fetch(client, sql, *args):
    conn = await asyncpg.connect(client.settings.database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def add_channel(client, identity, user: str = ALICE, **channel) -> dict:
    response = await client.post("/api/notifications/channels", json=channel, headers=identity(user))
    assert response.status == 201, await response.text()
    return await response.json()


async def deliveries(client, identity, user: str = ALICE) -> list[dict]:
    response = await client.get("/api/notifications/deliveries", headers=identity(user))
    assert response.status == 200, await response.text()
    return await response.json()


async def wait_for_log(client, identity, predicate, user: str = ALICE) -> list[dict]:
    """The delivery log once `predicate(log)` holds."""
    seen: list[dict] = []

    async def holds():
        seen[:] = await deliveries(client, identity, user)
        return predicate(seen)

    await eventually(holds, timeout=15)
    return seen
