"""A deletion from the request to the last service's confirmation, through the real service:
its database, its outbox and RabbitMQ."""

from __future__ import annotations

import asyncio

import pytest

from services.accounts.settings import DEFAULT_SERVICES
from shared.testing.waiting import eventually

from .conftest import ALICE, BOB, purged

pytestmark = pytest.mark.timeout(60)


async def status_of(accounts, identity, user=ALICE, expect=200) -> dict:
    response = await accounts.get("/api/account/deletion", headers=identity(user))
    assert response.status == expect, await response.text()
    return await response.json()


async def request_deletion(accounts, identity, user=ALICE) -> dict:
    response = await accounts.delete("/api/account", headers=identity(user))
    assert response.status == 202, await response.text()
    assert response.headers["Location"] == "/api/account/deletion"
    return await response.json()


async def wait_for_status(accounts, identity, predicate, user=ALICE) -> dict:
    seen: dict = {}

    async def holds() -> bool:
        seen.clear()
        seen.update(await status_of(accounts, identity, user))
        return predicate(seen)

    await eventually(holds)
    return seen


async def received(broker, count: int) -> bool:
    return len(broker.received) >= count


def done(status: dict) -> set[str]:
    return {entry["service"] for entry in status["services"] if entry["status"] == "done"}


async def test_a_deletion_completes_once_every_service_confirmed(accounts, broker, identity):
    await status_of(accounts, identity, expect=404)  # nothing requested yet
    started = await request_deletion(accounts, identity)
    assert started["status"] == "pending" and started["completedAt"] is None
    assert [entry["service"] for entry in started["services"]] == DEFAULT_SERVICES
    assert done(started) == set()

    # The request went out through the outbox, naming the user and the deletion.
    await eventually(lambda: received(broker, 1))
    [requested] = broker.received
    assert requested.data == {"userId": ALICE, "deletionId": started["id"]}
    assert requested.user_id == ALICE and requested.producer == "accounts"

    for service in DEFAULT_SERVICES[:-1]:
        await broker.publish(purged(ALICE, service, started["id"]))
    status = await wait_for_status(accounts, identity, lambda s: len(done(s)) == len(DEFAULT_SERVICES) - 1)
    assert status["status"] == "pending"
    assert all(entry["confirmedAt"] for entry in status["services"] if entry["status"] == "done")

    await broker.publish(purged(ALICE, DEFAULT_SERVICES[-1], started["id"]))
    completed = await wait_for_status(accounts, identity, lambda s: s["status"] == "completed")
    assert completed["id"] == started["id"] and completed["completedAt"] is not None
    assert done(completed) == set(DEFAULT_SERVICES)


async def test_asking_again_while_pending_answers_the_same_deletion(accounts, broker, identity):
    first = await request_deletion(accounts, identity)
    await broker.publish(purged(ALICE, "vehicles", first["id"]))
    await wait_for_status(accounts, identity, lambda s: done(s) == {"vehicles"})

    again = await request_deletion(accounts, identity)
    assert again["id"] == first["id"] and done(again) == {"vehicles"}
    # Concurrent requests too: one deletion.
    answers = await asyncio.gather(*(request_deletion(accounts, identity) for _ in range(5)))
    assert {answer["id"] for answer in answers} == {first["id"]}

    # After completion a new request starts a new deletion (the user may have created data again).
    for service in DEFAULT_SERVICES[1:]:
        await broker.publish(purged(ALICE, service, first["id"]))
    await wait_for_status(accounts, identity, lambda s: s["status"] == "completed")
    second = await request_deletion(accounts, identity)
    assert second["id"] != first["id"] and second["status"] == "pending" and done(second) == set()
    assert (await status_of(accounts, identity))["id"] == second["id"]

    # One event per deletion: the relay publishes in commit order, so a second event of the first
    # deletion would have come before the second deletion's.
    await eventually(lambda: received(broker, 2))
    assert [event.data["deletionId"] for event in broker.received] == [first["id"], second["id"]]


async def test_repeated_or_stray_confirmations_change_nothing(accounts, broker, identity):
    first = await request_deletion(accounts, identity)
    confirmation = purged(ALICE, "vehicles", first["id"])
    await broker.publish(confirmation)
    before = await wait_for_status(accounts, identity, lambda s: done(s) == {"vehicles"})
    await broker.publish(confirmation)  # the same event again (the inbox)
    await broker.publish(purged(ALICE, "vehicles", first["id"]))  # another event, the same news
    await broker.publish(purged(ALICE, "billing", first["id"]))  # a service not expected
    await broker.publish(purged(BOB, "fuel_logs", None))  # a user with no deletion
    # Then one that does count, so we know the ones before it were handled.
    await broker.publish(purged(ALICE, "stations", None))  # no id: the pending deletion
    after = await wait_for_status(accounts, identity, lambda s: "stations" in done(s))
    assert done(after) == {"vehicles", "stations"}
    vehicles = lambda status: next(e for e in status["services"] if e["service"] == "vehicles")  # noqa: E731
    assert vehicles(after)["confirmedAt"] == vehicles(before)["confirmedAt"]
    await status_of(accounts, identity, BOB, expect=404)


async def test_without_identity_the_routes_answer_401(accounts):
    assert (await accounts.delete("/api/account")).status == 401
    assert (await accounts.get("/api/account/deletion")).status == 401
    assert (await accounts.get("/health")).status == 200
