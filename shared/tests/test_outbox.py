"""The outbox: no event without its commit, no commit without its event, even across outages."""

import asyncio
from urllib.parse import urlsplit

import aio_pika
import asyncpg

from shared.events import new_event
from shared.events.wiring import BROKER
from shared.testing.infra import AMQP_URL
from shared.testing.tcp_proxy import TcpProxy
from shared.testing.waiting import eventually, until_ready

from .probe import create_probe_app


async def effects(settings) -> list[str]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return [r["name"] for r in await conn.fetch("SELECT name FROM effects ORDER BY id")]
    finally:
        await conn.close()


async def outbox_size(settings) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()


def proxied_amqp_url(proxy: TcpProxy) -> str:
    return urlsplit(AMQP_URL)._replace(netloc=f"guest:guest@127.0.0.1:{proxy.port}").geturl()


async def test_committed_change_is_published_and_consumed(probe, identity):
    response = await probe.post("/things", json={"name": "committed"}, headers=identity("u1"))
    assert response.status == 201

    async def consumed():
        return await effects(probe.settings) == ["committed"]

    async def outbox_emptied():  # the relay deletes the row after the confirm, maybe after delivery
        return await outbox_size(probe.settings) == 0

    await eventually(consumed)
    await eventually(outbox_emptied)


async def test_a_commit_wakes_the_relay_of_its_process_without_waiting_for_a_poll(probe_settings, serve, identity):
    settings = await probe_settings(outbox_poll_interval=60.0)  # only the wake can publish within the wait
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    assert (await client.post("/things", json={"name": "woken"}, headers=identity("u1"))).status == 201

    async def consumed():
        return await effects(settings) == ["woken"]

    await eventually(consumed, timeout=10)


async def test_a_row_committed_by_another_process_is_found_by_polling(probe):
    event = new_event("thing.created", {"name": "polled"}, producer="probe", user_id="u1")
    conn = await asyncpg.connect(probe.settings.database_url)
    try:  # nothing in the probe's process knows of this commit
        await conn.execute("INSERT INTO outbox (event_id, routing_key, body) VALUES ($1, $2, $3)",
                           event.id, event.routing_key, event.to_json())
    finally:
        await conn.close()

    async def consumed():
        return await effects(probe.settings) == ["polled"]

    await eventually(consumed)


async def test_rolled_back_transaction_produces_no_event(probe, identity):
    rolled_back = await probe.post("/things?rollback=1", json={"name": "ghost"}, headers=identity("u1"))
    assert rolled_back.status == 409
    committed = await probe.post("/things", json={"name": "real"}, headers=identity("u1"))
    assert committed.status == 201

    async def real_consumed():
        return "real" in await effects(probe.settings)

    await eventually(real_consumed)
    await asyncio.sleep(0.3)
    assert await effects(probe.settings) == ["real"]


async def test_change_committed_while_broker_unreachable_is_published_when_it_returns(
    probe_settings, serve, identity
):
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    settings = await probe_settings(amqp_url=proxied_amqp_url(proxy))
    client = await serve(create_probe_app(settings))
    await until_ready(client)

    await proxy.cut()
    broker = client.server.app[BROKER]
    await eventually(lambda: _false_when_set(broker.connected))
    offline = await client.post("/things", json={"name": "while-offline"}, headers=identity("u1"))
    assert offline.status == 201  # the API does not depend on the broker
    await asyncio.sleep(0.5)
    assert await outbox_size(settings) == 1  # held, not lost

    await proxy.start()

    async def delivered():
        return await effects(settings) == ["while-offline"]

    await eventually(delivered, timeout=15)

    async def outbox_emptied():
        return await outbox_size(settings) == 0

    await eventually(outbox_emptied)
    await proxy.cut()


async def test_rows_postponed_while_the_broker_was_away_are_published_when_it_returns(
    probe_settings, serve, identity
):
    """Their backoff measured the outage, not the rows: they do not wait it out once it is over."""
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    settings = await probe_settings(amqp_url=proxied_amqp_url(proxy), outbox_max_backoff=3600)
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    await proxy.cut()
    await eventually(lambda: _false_when_set(client.server.app[BROKER].connected))
    assert (await client.post("/things", json={"name": "postponed"}, headers=identity("u1"))).status == 201
    # As after a dozen publishes that failed while the broker went away unnoticed.
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("UPDATE outbox SET attempts = 12, next_attempt_at = now() + interval '1 hour'")
    finally:
        await conn.close()

    await proxy.start()

    async def delivered():
        return await effects(settings) == ["postponed"]

    await eventually(delivered, timeout=15)
    await proxy.cut()


async def test_relay_and_consumer_recover_after_broker_restart(probe_settings, serve, identity):
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    settings = await probe_settings(amqp_url=proxied_amqp_url(proxy))
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    await client.post("/things", json={"name": "before"}, headers=identity("u1"))

    async def first_consumed():
        return await effects(settings) == ["before"]

    await eventually(first_consumed)

    # A restart as the service sees it: every connection drops, then the port answers again.
    await proxy.cut()
    await asyncio.sleep(0.3)
    await proxy.start()
    await until_ready(client, timeout=15)
    await client.post("/things", json={"name": "after"}, headers=identity("u1"))

    async def second_consumed():
        return await effects(settings) == ["before", "after"]

    await eventually(second_consumed, timeout=15)
    await proxy.cut()


async def _false_when_set(event: asyncio.Event) -> bool:
    return not event.is_set()


async def test_events_carry_the_request_id_as_correlation_id(probe, identity):
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(probe.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        tap = await channel.declare_queue(exclusive=True)
        await tap.bind(exchange, "thing.#")
        await probe.post("/things", json={"name": "traced"}, headers={**identity("u1"), "X-Request-Id": "req-42"})
        message = None

        async def tapped():
            nonlocal message
            message = await tap.get(fail=False, no_ack=True)
            return message is not None

        await eventually(tapped)
        assert message.correlation_id == "req-42"
        assert b'"requestId":"req-42"' in message.body
    finally:
        await connection.close()


async def test_a_row_whose_publish_fails_stays_postponed_and_the_others_of_its_batch_go(probe, identity):
    """The relay claims a batch by deleting it; a row the broker could not take is written back
    before the commit, as it was (same id and creation time), one attempt more, due later."""
    client, settings = probe, probe.settings
    conn = await asyncpg.connect(settings.database_url)
    try:
        # A routing key over AMQP's 255 bytes: the client refuses that publish alone.
        await conn.execute(
            """INSERT INTO outbox (event_id, routing_key, body, created_at)
               VALUES (gen_random_uuid(), $1, '{}', now() - interval '1 minute')""", "x" * 300)
        before = await conn.fetchrow("SELECT id, created_at FROM outbox")
        for name in ("first", "second"):
            assert (await client.post("/things", json={"name": name}, headers=identity("u1"))).status == 201

        async def delivered():
            return sorted(await effects(settings)) == ["first", "second"]

        await eventually(delivered, timeout=15)

        async def only_the_failed_row_left():
            return await conn.fetchval("SELECT count(*) FROM outbox WHERE attempts > 0") == 1

        await eventually(only_the_failed_row_left)
        left = await conn.fetch("SELECT * FROM outbox")
        assert len(left) == 1
        assert (left[0]["id"], left[0]["created_at"]) == (before["id"], before["created_at"])
        assert left[0]["attempts"] >= 1 and left[0]["next_attempt_at"] > left[0]["created_at"]
        assert "routing" in left[0]["last_error"].lower() or "255" in left[0]["last_error"]
    finally:
        await conn.close()
