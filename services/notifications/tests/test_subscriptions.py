"""Outbound webhook subscriptions: signed per Standard Webhooks, retried, replayable, and never
pointed at loopback, private, link-local or metadata addresses (checked after DNS resolution
and on every redirect) unless the operator allows the network."""

import uuid

from standardwebhooks.webhooks import Webhook

from shared.events import new_event

from .conftest import ALICE, SECRET, wait_for_log

FILL_UP = {"fuelLogId": "f1", "vehicleId": "v1", "dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1200,
           "tripDistance": None, "fuelType": "gasoline", "fuelGrade": "87", "fuelUnits": "3.100",
           "costPerUnit": "3.999", "totalCost": "12.40", "isFullFill": True, "stationPlaceId": None}


async def subscribe(client, identity, url, event_types, user=ALICE, secret=SECRET):
    return await client.post("/api/notifications/subscriptions",
                             json={"url": url, "eventTypes": event_types, "secret": secret}, headers=identity(user))


async def test_a_subscribed_event_is_delivered_signed_retried_and_replayable(notifications, receiver, publish, identity):
    response = await subscribe(notifications, identity, f"{receiver.url}/ha/webhook", ["fuel_log.created", "vehicle.created"])
    assert response.status == 201, await response.text()
    subscription = await response.json()
    assert subscription["eventTypes"] == ["fuel_log.created", "vehicle.created"] and "secret" not in subscription
    receiver.statuses = [500]
    event = new_event("fuel_log.created", FILL_UP, producer="fuel_logs", user_id=ALICE)
    await publish(event)
    await publish(new_event("fuel_log.created", FILL_UP, producer="fuel_logs", user_id="auth0|bob"))  # not Alice's
    await publish(new_event("maintenance.record_created", {"recordId": "r"}, producer="maintenance", user_id=ALICE))

    [sent] = await wait_for_log(notifications, identity, lambda log: [e["status"] for e in log] == ["sent"])
    assert sent["attempts"] == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    body = Webhook(SECRET).verify(second.body, second.headers)
    assert body["type"] == "fuel_log.created"
    assert body["data"] == {"eventId": str(event.id), "version": 1, **FILL_UP}

    replay = await notifications.post(f"/api/notifications/deliveries/{sent['id']}/replay", headers=identity(ALICE))
    assert replay.status == 202
    await wait_for_log(notifications, identity, lambda log: [e["status"] for e in log] == ["sent"] and len(receiver.received) == 3)
    assert receiver.received[2].headers["webhook-id"] == first.headers["webhook-id"]
    Webhook(SECRET).verify(receiver.received[2].body, receiver.received[2].headers)
    # Someone else cannot replay it.
    assert (await notifications.post(f"/api/notifications/deliveries/{sent['id']}/replay",
                                     headers=identity("auth0|bob"))).status == 404


async def test_a_subscription_url_pointing_at_a_private_address_is_refused(start_notifications, receiver, identity):
    strict = await start_notifications(allowed_networks=[])  # no operator exception, as in production
    refused = [
        "http://10.0.0.5/hook", "http://192.168.1.20:8123/api/webhook/x", "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/", "http://[fd00:ec2::254]/", "http://0.0.0.0/",
        "http://localhost/hook",  # a name: refused for what it resolves to
        receiver.url + "/hook",  # 127.0.0.1, allowed only where the operator allows it
    ]
    for url in refused:
        response = await subscribe(strict, identity, url, ["vehicle.created"])
        assert response.status == 400, url
        [problem] = (await response.json())["details"]
        assert problem["field"] == "url" and "cannot be called" in problem["message"], problem
        channel = await strict.post("/api/notifications/channels", json={"kind": "webhook", "url": url},
                                    headers=identity(ALICE))
        assert channel.status == 400, url
    listed = await (await strict.get("/api/notifications/subscriptions", headers=identity(ALICE))).json()
    assert listed == []


async def test_a_redirect_to_a_metadata_address_is_not_followed(notifications, receiver, publish, identity):
    response = await subscribe(notifications, identity, f"{receiver.url}/hook", ["vehicle.created"])
    assert response.status == 201
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    await publish(new_event("vehicle.created", {"vehicleId": str(uuid.uuid4()), "nickname": "x"},
                            producer="vehicles", user_id=ALICE))
    [entry] = await wait_for_log(notifications, identity, lambda log: len(log) == 1 and log[0]["status"] == "retrying")
    assert entry["error"] == "refused: 169.254.169.254 is a cloud metadata address"
    assert len(receiver.received) >= 1  # the first hop was made, the redirect was not


async def test_a_delivery_to_a_name_that_resolves_to_loopback_is_refused(start_notifications, publish, identity):
    """The check is on resolved addresses at every delivery, not only on the URL at registration:
    a channel registered while allowed keeps being checked (here: the operator removed the network)."""
    service = await start_notifications(allowed_networks=["127.0.0.0/8", "::1/128"])
    response = await service.post("/api/notifications/channels", json={"kind": "webhook", "url": "http://localhost:9/x"},
                                  headers=identity(ALICE))
    assert response.status == 201
    channel = await response.json()
    strict = await start_notifications(allowed_networks=[], database_url=service.settings.database_url,
                                       events_exchange=service.settings.events_exchange)
    await service.close()
    test = await strict.post(f"/api/notifications/channels/{channel['id']}/test", headers=identity(ALICE))
    assert test.status == 202
    [entry] = await wait_for_log(strict, identity, lambda log: len(log) == 1 and log[0]["status"] == "retrying")
    assert entry["error"].startswith("refused: ") and "loopback" in entry["error"]


async def test_subscriptions_take_only_known_event_types_and_need_a_secret(notifications, receiver, identity):
    bad = await subscribe(notifications, identity, f"{receiver.url}/x", ["vehicle.exploded"])
    assert bad.status == 400
    no_secret = await notifications.post("/api/notifications/subscriptions",
                                         json={"url": f"{receiver.url}/x", "eventTypes": ["vehicle.created"]},
                                         headers=identity(ALICE))
    assert no_secret.status == 400
    ok = await subscribe(notifications, identity, f"{receiver.url}/x", ["vehicle.deleted"])
    subscription = await ok.json()
    off = await notifications.put(f"/api/notifications/subscriptions/{subscription['id']}", json={"enabled": False},
                                  headers=identity(ALICE))
    assert (await off.json())["enabled"] is False
    assert (await notifications.delete(f"/api/notifications/subscriptions/{subscription['id']}",
                                       headers=identity("auth0|bob"))).status == 404
    assert (await notifications.delete(f"/api/notifications/subscriptions/{subscription['id']}",
                                       headers=identity(ALICE))).status == 204


async def test_a_batch_reads_its_users_subscriptions_once_and_again_after_a_purge(notifications, receiver, identity):
    """In a consumer's batch the subscriptions of all its users are read by its first event
    (use_cases.deliveries): each subscribed event still gets its delivery, an unsubscribed type or
    user none, and once a purge in the batch has removed a user's subscriptions, that user's later
    events find none (a stale read would queue deliveries on channels that are gone)."""
    from dataclasses import replace
    from datetime import timedelta

    import asyncpg
    import orjson

    from services.notifications.consumers import consumers
    from shared.events.batch import Batch, Delivery

    for user in (ALICE, "auth0|carol"):
        response = await subscribe(notifications, identity, f"{receiver.url}/ha/webhook", ["fuel_log.created"], user=user)
        assert response.status == 201, await response.text()
    filled = [new_event("fuel_log.created", FILL_UP, producer="fuel_logs", user_id=user)
              for user in (ALICE, "auth0|bob", "auth0|carol", ALICE)]
    unsubscribed_type = new_event("maintenance.record_created", {"recordId": "r"}, producer="maintenance", user_id=ALICE)
    deletion = new_event("account.deletion_requested", {"userId": "auth0|carol"}, producer="accounts",
                         user_id="auth0|carol")
    after_deletion = replace(new_event("fuel_log.created", FILL_UP, producer="fuel_logs", user_id="auth0|carol"),
                             occurred_at=deletion.occurred_at + timedelta(minutes=1))
    events = [*filled, unsubscribed_type, deletion, after_deletion]
    handlers = consumers(notifications.server.app)
    pool = await asyncpg.create_pool(notifications.settings.database_url, min_size=1, max_size=2)
    try:
        await Batch([Delivery(None, event, handlers[event.routing_key]) for event in events]).apply(pool)
        rows = await pool.fetch("SELECT user_id, payload FROM deliveries WHERE kind = 'event'")
    finally:
        await pool.close()
    queued = sorted((row["user_id"], orjson.loads(row["payload"])["data"]["eventId"]) for row in rows)
    assert queued == sorted([(ALICE, str(filled[0].id)), (ALICE, str(filled[3].id))])
