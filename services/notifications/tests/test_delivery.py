"""Delivery guarantees: one notification per due crossing per channel, retries with backoff when
a channel fails, pausing a channel that keeps failing, and no secret in answers or logs."""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from standardwebhooks.webhooks import Webhook

from .conftest import ALICE, SECRET, SMTP_PASSWORD, add_channel, deliveries, due_event, known_vehicle, wait_for_log


def all_with_status(status, count=1):
    return lambda log: len(log) == count and all(entry["status"] == status for entry in log)


async def test_smtp_server_down_then_back_retries_until_the_email_is_sent(notifications, smtp, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    await add_channel(notifications, identity, kind="email", address="alice@example.com")
    await publish(due_event(car, dueDate="2026-05-01"))

    [waiting] = await wait_for_log(notifications, identity, all_with_status("retrying"))
    assert waiting["error"].startswith("mail server unavailable")
    assert smtp.mailbox.messages == []

    await smtp.start()  # the server is back
    [sent] = await wait_for_log(notifications, identity, all_with_status("sent"))
    assert sent["attempts"] >= 2 and sent["error"] is None
    [message] = smtp.mailbox.messages
    assert message["to"] == ["alice@example.com"]
    assert message["subject"] == "Maintenance due: Blue Bike"
    assert message["text"] == "Routine maintenance: Engine Oil is due on 01 May 2026 or at 45,000 mi (past due)."


async def test_webhook_answering_500_then_200_is_retried_and_signed(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    channel = await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook", secret=SECRET)
    receiver.statuses = [500]
    await publish(due_event(car))

    [sent] = await wait_for_log(notifications, identity, all_with_status("sent"))
    assert (sent["attempts"], sent["channelId"]) == (2, channel["id"])
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # one message, retried
    body = Webhook(SECRET).verify(second.body, second.headers)
    assert body["type"] == "notification.schedule_due"
    assert body["data"]["title"] == "Maintenance due: Blue Bike"
    assert body["data"]["details"]["vehicleId"] == car


async def test_a_duplicate_schedule_due_notifies_once_per_channel(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook")
    await add_channel(notifications, identity, kind="ntfy", url=f"{receiver.url}/motovault-alice")
    schedule = str(uuid.uuid4())
    crossing = due_event(car, schedule)
    await publish(crossing)
    await publish(crossing)  # redelivered: the same event id
    await publish(due_event(car, schedule))  # announced again: another id, the same crossing
    await publish(due_event(car, schedule, dueOdometer=50000))  # the next cycle: a new crossing

    log = await wait_for_log(notifications, identity, all_with_status("sent", 4))
    paths = sorted(received.path for received in receiver.received)
    assert paths == ["/hook", "/hook", "/motovault-alice", "/motovault-alice"]
    assert len({entry["channelId"] for entry in log}) == 2


async def test_ntfy_gets_title_priority_and_tags(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity, nickname=None)
    await add_channel(notifications, identity, kind="ntfy", url=f"{receiver.url}/mv-topic", token="tk_secret_token")
    await publish(due_event(car, urgency="past_due"))
    await wait_for_log(notifications, identity, all_with_status("sent"))
    [post] = receiver.received
    assert post.headers["Title"] == "Maintenance due: 2019 Honda CB500X"
    assert (post.headers["Priority"], post.headers["Tags"]) == ("4", "wrench,past_due")
    assert post.headers["Authorization"] == "Bearer tk_secret_token"
    assert post.body.decode() == "Routine maintenance: Engine Oil is due at 45,000 mi (past due)."


async def test_a_channel_that_keeps_failing_is_paused_and_the_log_says_so(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    channel = await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/down")
    receiver.statuses = [500] * 20
    await publish(due_event(car))

    [failed] = await wait_for_log(notifications, identity, all_with_status("failed"))
    assert failed["attempts"] == notifications.settings.max_attempts == 4
    assert "HTTP 500" in failed["error"] and "paused after 4 failed attempts" in failed["error"]
    view = await (await notifications.get(f"/api/notifications/channels/{channel['id']}", headers=identity(ALICE))).json()
    assert view["paused"] is True and "paused after 4" in view["pausedReason"]

    # Paused: a new crossing is queued but waits, not attempted.
    await publish(due_event(car))
    await wait_for_log(notifications, identity, lambda log: len(log) == 2)
    attempts_while_paused = len(receiver.received)
    # Turned on again, the channel resumes and what waited is sent.
    receiver.statuses = []
    resumed = await notifications.put(f"/api/notifications/channels/{channel['id']}", json={"enabled": True},
                                      headers=identity(ALICE))
    assert (await resumed.json())["paused"] is False
    log = await wait_for_log(notifications, identity, lambda log: [e["status"] for e in log] == ["sent", "failed"])
    assert len(receiver.received) == attempts_while_paused + 1
    assert log[0]["attempts"] == 1


async def test_send_a_test_and_turn_a_channel_off(notifications, smtp, identity):
    await smtp.start()
    channel = await add_channel(notifications, identity, kind="email", name="Work", address="alice@example.com")
    response = await notifications.post(f"/api/notifications/channels/{channel['id']}/test", headers=identity(ALICE))
    assert response.status == 202
    assert (await response.json())["kind"] == "test"
    await wait_for_log(notifications, identity, all_with_status("sent"))
    assert smtp.mailbox.messages[0]["subject"] == "MotoVault test notification"

    off = await notifications.put(f"/api/notifications/channels/{channel['id']}", json={"enabled": False},
                                  headers=identity(ALICE))
    assert (await off.json())["enabled"] is False
    listed = await (await notifications.get("/api/notifications/channels", headers=identity(ALICE))).json()
    assert [c["enabled"] for c in listed] == [False]
    # Another user sees none of it.
    other = identity("auth0|mallory")
    assert (await notifications.get(f"/api/notifications/channels/{channel['id']}", headers=other)).status == 404
    assert (await notifications.post(f"/api/notifications/channels/{channel['id']}/test", headers=other)).status == 404
    assert await deliveries(notifications, identity, "auth0|mallory") == []


async def test_secrets_never_appear_in_answers_or_logs(notifications, receiver, publish, identity, caplog):
    caplog.set_level(logging.DEBUG)
    car = await known_vehicle(notifications, publish, identity)
    created = await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook", secret=SECRET)
    ntfy = await add_channel(notifications, identity, kind="ntfy", url=f"{receiver.url}/t", token="tk_very_secret")
    receiver.statuses = [500]
    await publish(due_event(car))
    await wait_for_log(notifications, identity, lambda log: len(log) == 2 and all(e["status"] == "sent" for e in log))

    answers = [created, ntfy]
    answers.append(await (await notifications.get("/api/notifications/channels", headers=identity(ALICE))).text())
    answers.append(await (await notifications.get("/api/notifications/deliveries", headers=identity(ALICE))).text())
    answers.append(await (await notifications.get("/openapi.json")).text())
    text = " ".join(str(answer) for answer in answers)
    assert created["hasSecret"] is True and ntfy["hasSecret"] is True
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Delivery" in logged  # the worker did log its attempts
    for secret in (SECRET, SECRET.removeprefix("whsec_"), "tk_very_secret", SMTP_PASSWORD):
        assert secret not in text
        assert secret not in logged


async def test_bad_channel_input_is_a_400_naming_the_field(notifications, identity):
    alice = identity(ALICE)
    cases = [
        ({"kind": "email", "address": "not-an-address"}, "address"),
        ({"kind": "pager", "number": "5"}, "kind"),
        ({"kind": "webhook", "url": "ftp://example.com/x"}, "url"),
        ({"kind": "webhook", "url": "https://example.com/x", "secret": "plain"}, "secret"),
    ]
    for body, field in cases:
        response = await notifications.post("/api/notifications/channels", json=body, headers=alice)
        assert response.status == 400, body
        details = (await response.json())["details"]
        assert any(field in detail["field"] or field in detail["message"] for detail in details), (body, details)
    prefs = await notifications.put("/api/notifications/preferences", json={"timezone": "Mars/Olympus"}, headers=alice)
    assert prefs.status == 400


async def test_quiet_hours_hold_a_notification_back(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook")
    # Quiet all day but one minute: whatever the time now, it is quiet (start to end spans 23h59).
    now = datetime.now(UTC)
    start, end = (now - timedelta(minutes=1)).strftime("%H:%M"), (now - timedelta(minutes=2)).strftime("%H:%M")
    response = await notifications.put("/api/notifications/preferences", json={"quietHours": {"start": start, "end": end}},
                                       headers=identity(ALICE))
    assert response.status == 200 and (await response.json())["quietHours"] == {"start": start, "end": end}
    await publish(due_event(car))
    [held] = await wait_for_log(notifications, identity, lambda log: len(log) == 1)
    assert held["status"] == "pending"
    assert datetime.fromisoformat(held["nextAttemptAt"]) > now + timedelta(hours=20)
    assert receiver.received == []
