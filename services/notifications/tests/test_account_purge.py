"""account.deletion_requested: notifications removes the user's channels, subscriptions,
deliveries, preferences and projections, confirms with one account.purged, and leaves other
users alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aio_pika
import orjson

from shared.events import new_event
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually

from .conftest import add_channel, due_event, fetch, known_vehicle
from .test_documents_and_calendar import document_added

ANN, BEN = "auth0|leaving", "auth0|staying"
TABLES = ("vehicle_projection", "documents", "due_maintenance", "preferences", "channels", "deliveries")


async def counts(client, user: str) -> dict[str, int]:
    return {table: len(await fetch(client, f"SELECT 1 FROM {table} WHERE user_id = $1", user)) for table in TABLES}


async def test_purge_removes_everything_of_the_user_only(notifications, receiver, publish, identity):
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(notifications.settings.events_exchange, "account.purged.v1")
    confirmations: list[dict] = []

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            confirmations.append(orjson.loads(message.body))

    await queue.consume(on_message)
    try:
        for user in (ANN, BEN):
            await add_channel(notifications, identity, user, kind="webhook", name="hook", url=f"{receiver.url}/hook")
            assert (await notifications.post("/api/notifications/calendar", headers=identity(user))).status == 201
            car = await known_vehicle(notifications, publish, identity, user)
            expires = (datetime.now(UTC) + timedelta(days=3)).date()
            await publish(document_added(car, expires, user=user))
            await publish(due_event(car, user=user))

        async def all_known() -> bool:
            return [await counts(notifications, user) for user in (ANN, BEN)] == [dict.fromkeys(TABLES, 1)] * 2

        await eventually(all_known, timeout=15)
        await publish(new_event("account.deletion_requested", {"userId": ANN, "deletionId": "d-5"},
                                producer="accounts", user_id=ANN))

        async def confirmed() -> bool:
            return bool(confirmations)

        await eventually(confirmed)
        assert confirmations[0]["data"] == {"userId": ANN, "service": "notifications", "deletionId": "d-5"}
        assert await counts(notifications, ANN) == dict.fromkeys(TABLES, 0)
        assert await counts(notifications, BEN) == dict.fromkeys(TABLES, 1)
        listed = await notifications.get("/api/notifications/channels", headers=identity(ANN))
        assert await listed.json() == []
    finally:
        await connection.close()
