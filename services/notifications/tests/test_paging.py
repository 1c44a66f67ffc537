"""Paging of the notifications lists: channels, subscriptions and the delivery log, by keyset."""

import uuid

import asyncpg

from shared.testing.paging import assert_bad_paging_refused, assert_refused, cursor_in, read_page, tampered, walk

from .conftest import ALICE, add_channel
from .test_subscriptions import subscribe


async def log_deliveries(client, channel_id: str, count: int, user: str = ALICE) -> None:
    """Sent deliveries straight into the log (the worker leaves sent ones alone); some share a
    creation time, so the id orders them."""
    conn = await asyncpg.connect(client.settings.database_url)
    try:
        await conn.executemany(
            """INSERT INTO deliveries (id, user_id, channel_id, delivery_key, kind, payload, status, created_at, sent_at)
               VALUES ($1, $2, $3, $4, 'reminder', $5, 'sent', now() - make_interval(mins => $6), now())""",
            [(uuid.uuid4(), user, uuid.UUID(channel_id), f"paging-{uuid.uuid4()}", f'{{"title": "n{i}"}}', i // 2)
             for i in range(count)])
    finally:
        await conn.close()


async def test_channels_and_subscriptions_walked_two_at_a_time(notifications, receiver, identity):
    alice = identity(ALICE)
    for i in range(3):
        await add_channel(notifications, identity, kind="email", name=f"Mail {i}", address=f"a{i}@example.com")
    for i in range(3):
        response = await subscribe(notifications, identity, f"{receiver.url}/hook/{i}", ["vehicle.created"])
        assert response.status == 201, await response.text()
    for path in ("/api/notifications/channels", "/api/notifications/subscriptions"):
        whole = await notifications.get(path, headers=alice)
        assert "Link" not in whole.headers
        whole = await whole.json()
        added = []

        async def add(page: int) -> None:
            # Oldest first: a channel added while paging comes at the end, once.
            if page == 1 and path.endswith("channels"):
                added.append((await add_channel(notifications, identity, kind="email", address="late@example.com"))["id"])

        pages = await walk(notifications, f"{path}?limit=2", alice, between=add)
        assert [c["id"] for page in pages for c in page] == [c["id"] for c in whole] + added


async def test_the_delivery_log_walked_page_by_page_and_by_default_its_newest_50(notifications, identity):
    alice = identity(ALICE)
    channel = await add_channel(notifications, identity, kind="email", address="log@example.com")
    await log_deliveries(notifications, channel["id"], 55)
    newest = await notifications.get("/api/notifications/deliveries", headers=alice)
    assert "Link" not in newest.headers and len(await newest.json()) == 50  # as before paging
    base = "/api/notifications/deliveries?status=sent"
    whole = await (await notifications.get(f"{base}&limit=500", headers=alice)).json()
    assert len(whole) == 55

    async def log_one(page: int) -> None:
        await log_deliveries(notifications, channel["id"], 1)  # newest first: before the position reached

    pages = await walk(notifications, f"{base}&limit=20", alice, between=log_one)
    assert [len(page) for page in pages] == [20, 20, 15]
    assert [d["id"] for page in pages for d in page] == [d["id"] for d in whole]


async def test_bad_limits_and_cursors_are_400s_naming_the_parameter(notifications, identity):
    alice = identity(ALICE)
    channel = await add_channel(notifications, identity, kind="email", address="bad@example.com")
    await add_channel(notifications, identity, kind="email", address="bad2@example.com")
    await log_deliveries(notifications, channel["id"], 3)
    _, following = await read_page(notifications, "/api/notifications/channels?limit=1", alice)
    await assert_refused(notifications, tampered(following), alice, "cursor")
    await assert_bad_paging_refused(notifications, "/api/notifications/subscriptions", alice,
                                    cursor_of_another_list=cursor_in(following))
    for path in ("/api/notifications/channels", "/api/notifications/deliveries"):
        await assert_bad_paging_refused(notifications, path, alice)
