"""Fill-ups and maintenance records reach notifications only while a webhook subscription names
them (shared/events/demand.py): bound before the subscription that wants them commits, unbound
once none does, settled again by every instance that starts."""

import aio_pika
import pytest

from services.notifications.app import create_app
from services.notifications.settings import NotificationsSettings
from shared.events import Event, new_event
from shared.events.topology import work_queue_name
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready

from .conftest import ALICE, fetch, known_vehicle
from .test_subscriptions import FILL_UP, subscribe

BOB = "auth0|bob"
NO_BROKER = "amqp://guest:guest@127.0.0.1:1/"


async def reaches_the_service(client, publish, identity, event: Event) -> bool:
    """Whether the service handled `event`: published before an event that is always bound, it
    was delivered first (and recorded in the inbox) if it was routed to the queue at all."""
    await publish(event)
    await known_vehicle(client, publish, identity)
    return bool(await fetch(client, "SELECT 1 FROM inbox WHERE event_id = $1", event.id))


def fill_up(user: str = ALICE) -> Event:
    return new_event("fuel_log.created", FILL_UP, producer="fuel_logs", user_id=user)


def record(user: str = ALICE) -> Event:
    return new_event("maintenance.record_created", {"recordId": "r"}, producer="maintenance", user_id=user)


async def test_fill_ups_are_bound_only_while_a_subscription_names_them(notifications, receiver, publish, identity):
    assert not await reaches_the_service(notifications, publish, identity, fill_up())

    # Bob's subscription binds fill-ups for everyone's; Alice's still find nobody to send to.
    created = await subscribe(notifications, identity, f"{receiver.url}/hook", ["fuel_log.created"], user=BOB)
    assert created.status == 201, await created.text()
    assert await reaches_the_service(notifications, publish, identity, fill_up())
    assert not await reaches_the_service(notifications, publish, identity, record())  # not named by it

    # Turned off, it still holds the binding (turning it on again must not miss events).
    subscription = (await created.json())["id"]
    off = await notifications.put(f"/api/notifications/subscriptions/{subscription}", json={"enabled": False},
                                  headers=identity(BOB))
    assert off.status == 200, await off.text()
    assert await reaches_the_service(notifications, publish, identity, fill_up())

    deleted = await notifications.delete(f"/api/notifications/subscriptions/{subscription}", headers=identity(BOB))
    assert deleted.status == 204
    assert not await reaches_the_service(notifications, publish, identity, fill_up())


async def test_a_binding_stays_while_another_subscription_names_it(notifications, receiver, publish, identity):
    first = await subscribe(notifications, identity, f"{receiver.url}/a", ["fuel_log.created"], user=BOB)
    second = await subscribe(notifications, identity, f"{receiver.url}/b",
                             ["fuel_log.created", "maintenance.record_created"], user=ALICE)
    assert first.status == second.status == 201
    removed = await notifications.delete(f"/api/notifications/subscriptions/{(await second.json())['id']}",
                                         headers=identity(ALICE))
    assert removed.status == 204
    assert await reaches_the_service(notifications, publish, identity, fill_up())  # Bob's still names it
    assert not await reaches_the_service(notifications, publish, identity, record())


async def test_an_account_purge_unbinds_what_only_its_subscriptions_named(notifications, receiver, publish, identity):
    created = await subscribe(notifications, identity, f"{receiver.url}/hook", ["maintenance.record_created"],
                              user=BOB)
    assert created.status == 201
    assert await reaches_the_service(notifications, publish, identity, record())
    await publish(new_event("account.deletion_requested", {"userId": BOB}, producer="accounts", user_id=BOB))

    async def purged() -> bool:
        return not await fetch(notifications, "SELECT 1 FROM channels WHERE user_id = $1", BOB)

    await eventually(purged)
    assert not await reaches_the_service(notifications, publish, identity, record())


async def test_an_instance_that_starts_removes_a_binding_nothing_wants(notifications, serve, publish, identity):
    # As left by a subscription removed while its unbinding failed (the broker was away).
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange_name = notifications.settings.events_exchange
        queue = await channel.get_queue(work_queue_name(exchange_name, "notifications"), ensure=False)
        await queue.bind(exchange_name, routing_key="fuel_log.created.v1")
    finally:
        await connection.close()
    assert await reaches_the_service(notifications, publish, identity, fill_up())

    second = await serve(create_app(notifications.settings))  # another instance, or the same one restarted
    await until_ready(second)
    assert not await reaches_the_service(notifications, publish, identity, fill_up())


@pytest.mark.parametrize("event_types, status", [(["fuel_log.created"], 503), (["vehicle.created"], 201)])
async def test_a_subscription_that_needs_a_binding_is_refused_while_the_broker_is_away(
        backed_settings, serve, receiver, identity, event_types, status):
    values = await backed_settings("notifications", amqp_url=NO_BROKER, allowed_networks=["127.0.0.1/32"])
    client = await serve(create_app(NotificationsSettings(**values)))
    client.settings = NotificationsSettings(**values)

    response = await subscribe(client, identity, f"{receiver.url}/hook", event_types)
    assert response.status == status, await response.text()
    stored = await fetch(client, "SELECT event_types FROM channels WHERE kind = 'subscription'")
    if status == 503:
        body = await response.json()
        assert body["message"] == "The event broker is unavailable; try again shortly"
        assert response.headers["Retry-After"] and stored == []  # nothing kept that would miss its events
    else:
        assert [row["event_types"] for row in stored] == [event_types]  # always bound: the broker is not needed
