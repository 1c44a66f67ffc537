"""Document expiry reminders (learned from vehicles' events, once per document and lead time,
forgotten with the document or vehicle) and the calendar feed at a secret, revocable URL."""

import logging
import uuid
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from services.notifications.sweeper import SWEEPER
from shared.events import new_event
from shared.testing.waiting import eventually

from .conftest import ALICE, add_channel, due_event, fetch, known_vehicle, vehicle_event, wait_for_log


def today():
    return datetime.now(UTC).date()


def document_added(vehicle_id, expires_on, title="Policy 2026", user=ALICE, document_id=None):
    data = {"vehicleId": vehicle_id, "documentId": document_id or str(uuid.uuid4()), "title": title,
            "kind": "insurance", "expiresOn": expires_on.isoformat() if expires_on else None}
    return new_event("vehicle.document_added", data, producer="vehicles", user_id=user)


async def documents_known(client, count):
    async def known():
        return len(await fetch(client, "SELECT 1 FROM documents")) == count

    await eventually(known)


async def test_an_expiring_document_is_reminded_of_once_per_lead_time(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook")
    await publish(document_added(car, today() + timedelta(days=10)))
    await publish(document_added(car, today() + timedelta(days=40), title="Registration"))  # outside 14 days
    await publish(document_added(car, None, title="Manual"))  # never expires
    await documents_known(notifications, 3)
    sweeper = notifications.server.app[SWEEPER]

    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0  # once per document and lead time
    [sent] = await wait_for_log(notifications, identity, lambda log: len(log) == 1 and log[0]["status"] == "sent")
    assert sent["title"] == "Document expiring: Policy 2026"
    assert "Blue Bike: insurance \u201cPolicy 2026\u201d expires on" in receiver.received[0].body.decode()

    # A longer lead time is a new reminder for what it now covers, the same one for neither twice.
    response = await notifications.put("/api/notifications/preferences", json={"leadDays": 45}, headers=identity(ALICE))
    assert (await response.json())["leadDays"] == 45
    assert await sweeper.sweep_once() == 2
    assert await sweeper.sweep_once() == 0


async def test_removed_documents_and_deleted_vehicles_are_forgotten(notifications, receiver, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    other = await known_vehicle(notifications, publish, identity)
    await add_channel(notifications, identity, kind="webhook", url=f"{receiver.url}/hook")
    removed = document_added(car, today() + timedelta(days=3))
    await publish(removed)
    await publish(document_added(other, today() + timedelta(days=3)))
    await documents_known(notifications, 2)
    await publish(new_event("vehicle.document_removed", {"vehicleId": car, "documentId": removed.data["documentId"]},
                            producer="vehicles", user_id=ALICE))
    await publish(vehicle_event("deleted", other))
    await documents_known(notifications, 0)
    # A late document of the deleted vehicle is not kept either.
    await publish(document_added(other, today() + timedelta(days=3)))
    marker = await known_vehicle(notifications, publish, identity)  # the queue got past it
    assert marker and await fetch(notifications, "SELECT 1 FROM documents") == []
    assert await notifications.server.app[SWEEPER].sweep_once() == 0
    assert receiver.received == []


async def test_calendar_feed_at_a_secret_revocable_url(notifications, publish, identity, caplog):
    caplog.set_level(logging.INFO)
    car = await known_vehicle(notifications, publish, identity)
    schedule = str(uuid.uuid4())
    await publish(due_event(car, schedule, dueDate="2026-05-01", dueOdometer=None, trigger="date"))
    expires = today() + timedelta(days=30)
    document = document_added(car, expires)
    await publish(document)
    await documents_known(notifications, 1)

    async def due_known():
        return bool(await fetch(notifications, "SELECT 1 FROM due_maintenance"))

    await eventually(due_known)
    created = await notifications.post("/api/notifications/calendar", headers=identity(ALICE))
    assert created.status == 201
    url = (await created.json())["url"]
    assert url.startswith(notifications.settings.public_base_url + "/api/notifications/calendar/feed/motovault.ics?token=")
    path = url.removeprefix(notifications.settings.public_base_url)

    response = await notifications.get(path)  # no identity: a calendar app cannot send one
    assert response.status == 200 and response.content_type == "text/calendar"
    calendar = Calendar.from_ical(await response.read())
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"maintenance-{schedule}@motovault", f"document-{document.data['documentId']}@motovault"}
    due = events[f"maintenance-{schedule}@motovault"]
    assert str(due["summary"]) == "Blue Bike: Routine maintenance: Engine Oil"
    assert due.decoded("dtstart") == date(2026, 5, 1)
    expiry = events[f"document-{document.data['documentId']}@motovault"]
    assert str(expiry["summary"]) == "Blue Bike: Policy 2026 expires" and expiry.decoded("dtstart") == expires

    token = url.split("token=")[1]
    assert any("calendar/feed/motovault.ics" in record.getMessage() for record in caplog.records)  # logged...
    assert not any(token in record.getMessage() for record in caplog.records)  # ...without its token

    # A new URL replaces the old one; revoking ends both.
    replaced = await (await notifications.post("/api/notifications/calendar", headers=identity(ALICE))).json()
    assert (await notifications.get(path)).status == 404
    new_path = replaced["url"].removeprefix(notifications.settings.public_base_url)
    assert (await notifications.get(new_path)).status == 200
    assert (await notifications.delete("/api/notifications/calendar", headers=identity(ALICE))).status == 204
    assert (await notifications.get(new_path)).status == 404
    guess = "/api/notifications/calendar/feed/motovault.ics?token=" + "A" * 43
    assert (await notifications.get(guess)).status == 404
    assert (await notifications.get("/api/notifications/calendar/feed/motovault.ics")).status == 400


async def test_every_other_route_needs_the_identity(notifications):
    for path in ("/api/notifications/channels", "/api/notifications/deliveries", "/api/notifications/preferences",
                 "/api/notifications/calendar/feed"):
        assert (await notifications.get(path)).status == 401, path


def schedule_event(kind, vehicle_id, schedule_id, **fields):
    data = {"scheduleId": schedule_id, "vehicleId": vehicle_id, "category": "routine_maintenance",
            "subtypes": ["Engine Oil"]} | fields
    return new_event(f"maintenance.{kind}", data, producer="maintenance", user_id=ALICE)


async def calendar_of(notifications, identity):
    created = await notifications.post("/api/notifications/calendar", headers=identity(ALICE))
    path = (await created.json())["url"].removeprefix(notifications.settings.public_base_url)
    response = await notifications.get(path)
    assert response.status == 200
    return {str(event["uid"]): event for event in Calendar.from_ical(await response.read()).walk("VEVENT")}


async def test_the_calendar_shows_maintenance_before_it_falls_due_and_follows_its_due_point(
        notifications, publish, identity):
    car = await known_vehicle(notifications, publish, identity)
    oil, tyres, gone = (str(uuid.uuid4()) for _ in range(3))
    uid = "maintenance-{}@motovault".format
    # Moved on by recorded work (cycle 2); the announcement of the earlier point (cycle 1) comes late.
    await publish(schedule_event("schedule_changed", car, oil, dueDate="2027-03-01", dueOdometer=47000, dueCycle=2))
    await publish(due_event(car, oil, dueDate="2026-09-01", dueOdometer=42000, dueCycle=1, trigger="date"))
    # Distance only and not due: no day to show it on.
    await publish(schedule_event("schedule_changed", car, tyres, dueDate=None, dueOdometer=60000, dueCycle=1))
    await publish(schedule_event("schedule_changed", car, gone, dueDate="2027-01-10", dueOdometer=None, dueCycle=1))
    await publish(schedule_event("schedule_deleted", car, gone))
    await publish(schedule_event("schedule_changed", car, gone, dueDate="2027-02-10", dueOdometer=None, dueCycle=2))

    async def all_seen():
        return len(await fetch(notifications, "SELECT 1 FROM deleted_schedules")) == 1 and len(
            await fetch(notifications, "SELECT 1 FROM due_maintenance WHERE due_cycle = 2")) == 1

    await eventually(all_seen)
    marker = await known_vehicle(notifications, publish, identity)  # the queue got past the late events
    assert marker
    events = await calendar_of(notifications, identity)
    assert set(events) == {uid(oil)}
    upcoming = events[uid(oil)]
    assert upcoming.decoded("dtstart") == date(2027, 3, 1)
    assert str(upcoming["description"]) == "Due at 47,000 mi. Upcoming."

    # It falls due in the same cycle: the same entry, now saying how urgent.
    await publish(due_event(car, oil, dueDate="2027-03-01", dueOdometer=47000, dueCycle=2, trigger="date"))

    async def announced():
        return bool(await fetch(notifications, "SELECT 1 FROM due_maintenance WHERE urgency IS NOT NULL"))

    await eventually(announced)
    # Restating the point of the same cycle keeps the announcement.
    await publish(schedule_event("schedule_changed", car, oil, dueDate="2027-03-01", dueOdometer=47000, dueCycle=2))
    await known_vehicle(notifications, publish, identity)
    events = await calendar_of(notifications, identity)
    assert str(events[uid(oil)]["description"]) == "Due at 47,000 mi. Urgency: past due."
