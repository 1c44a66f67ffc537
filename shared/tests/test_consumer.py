"""Consumers: one effect per event, retries, the dead-letter queue and its replay."""

import asyncio
import os
import subprocess
import sys

import aio_pika
import asyncpg

from shared.events import new_event
from shared.events.deadletters import list_dead_letters, replay_dead_letters
from shared.events.topology import work_queue_name
from shared.testing.infra import AMQP_URL
from shared.testing.waiting import eventually, until_ready

from .probe import create_probe_app
from .test_outbox import effects


async def set_failures(settings, name: str, remaining: int) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(
            """INSERT INTO failures_left (name, remaining) VALUES ($1, $2)
               ON CONFLICT (name) DO UPDATE SET remaining = EXCLUDED.remaining""",
            name, remaining,
        )
    finally:
        await conn.close()


async def test_same_event_delivered_twice_has_one_effect(probe, publish):
    event = new_event("thing.created", {"name": "twice"}, producer="test", user_id="u1")
    await publish(probe.settings.events_exchange, event)
    await publish(probe.settings.events_exchange, event)
    other = new_event("thing.created", {"name": "marker"}, producer="test", user_id="u1")
    await publish(probe.settings.events_exchange, other)

    async def both_seen():
        return "marker" in await effects(probe.settings)

    await eventually(both_seen)
    await asyncio.sleep(0.2)
    assert sorted(await effects(probe.settings)) == ["marker", "twice"]


async def test_transient_failure_is_retried_until_it_succeeds(probe, publish):
    await set_failures(probe.settings, "flaky", -1)  # fail until told otherwise
    await publish(probe.settings.events_exchange, new_event("thing.fragile", {"name": "flaky"}, producer="t", user_id="u"))
    await asyncio.sleep(0.15)  # first attempt fails, the message waits in a retry queue
    await set_failures(probe.settings, "flaky", 0)

    async def handled():
        return await effects(probe.settings) == ["flaky"]

    await eventually(handled)


async def test_failing_handler_lands_in_dead_letters_intact_and_replay_brings_it_back(probe, publish):
    settings = probe.settings
    await set_failures(settings, "poison", -1)
    event = new_event("thing.fragile", {"name": "poison"}, producer="test", user_id="u1")
    await publish(settings.events_exchange, event)
    letters = []

    async def dead_lettered():
        nonlocal letters
        letters = await list_dead_letters(AMQP_URL, settings.events_exchange, "probe")
        return len(letters) == 1

    await eventually(dead_lettered)
    [letter] = letters
    assert letter.body == event.to_json()
    assert letter.attempts == len(settings.retry_delays_ms) + 1
    assert "told to fail" in letter.error
    assert letter.routing_key == "thing.fragile.v1"
    assert await effects(settings) == []

    await set_failures(settings, "poison", 0)  # the operator fixed the cause
    assert await replay_dead_letters(AMQP_URL, settings.events_exchange, "probe") == 1

    async def handled_after_replay():
        return await effects(settings) == ["poison"]

    await eventually(handled_after_replay)
    assert await list_dead_letters(AMQP_URL, settings.events_exchange, "probe") == []


async def test_invalid_json_is_dead_lettered_and_consumer_keeps_running(probe, publish):
    exchange = probe.settings.events_exchange
    await publish(exchange, b"{this is not json", routing_key="thing.created.v1")
    await publish(exchange, b'{"id": "not-a-uuid"}', routing_key="thing.created.v1")
    await publish(exchange, new_event("thing.created", {"name": "after-garbage"}, producer="t", user_id="u"))

    async def good_one_handled():
        return await effects(probe.settings) == ["after-garbage"]

    await eventually(good_one_handled)
    letters = await list_dead_letters(AMQP_URL, exchange, "probe")
    assert sorted(letter.body for letter in letters) == [b'{"id": "not-a-uuid"}', b"{this is not json"]


async def test_replay_command_line_lists_and_replays(probe, publish):
    settings = probe.settings
    await set_failures(settings, "cli", -1)
    await publish(settings.events_exchange, new_event("thing.fragile", {"name": "cli"}, producer="t", user_id="u"))

    async def dead_lettered():
        return len(await list_dead_letters(AMQP_URL, settings.events_exchange, "probe")) == 1

    await eventually(dead_lettered)
    env = {**os.environ, "PROBE_AMQP_URL": AMQP_URL, "PROBE_EVENTS_EXCHANGE": settings.events_exchange}
    command = [sys.executable, "-m", "shared.events.deadletters"]
    listed = await asyncio.to_thread(subprocess.run, [*command, "list", "probe"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "thing.fragile.v1" in listed.stdout and "1 dead letter(s)" in listed.stdout

    await set_failures(settings, "cli", 0)
    replayed = await asyncio.to_thread(subprocess.run, [*command, "replay", "probe"], env=env, capture_output=True, text=True)
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 message(s)" in replayed.stdout

    async def handled():
        return await effects(settings) == ["cli"]

    await eventually(handled)


async def test_shutdown_lets_the_handler_in_flight_finish_and_acknowledge(probe_settings, serve, publish):
    settings = await probe_settings()
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    await publish(settings.events_exchange, new_event("thing.slow", {"name": "slow"}, producer="t", user_id="u"))
    await asyncio.sleep(0.2)  # the handler is sleeping inside its transaction now
    await client.close()  # the app's shutdown: stop consuming, drain, close
    assert await effects(settings) == ["slow"]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(work_queue_name(settings.events_exchange, "probe"), passive=True)
        assert queue.declaration_result.message_count == 0  # acknowledged, not waiting for redelivery
    finally:
        await connection.close()


async def test_after_commit_actions_run_once_after_the_commit(probe, publish):
    from .probe import AFTER_COMMIT_SEEN

    event = new_event("thing.announced", {"name": "hook", "dsn": probe.settings.database_url}, producer="t", user_id="u")
    await publish(probe.settings.events_exchange, event)
    await publish(probe.settings.events_exchange, event)  # a duplicate runs no hook

    async def announced():
        return "hook:1" in AFTER_COMMIT_SEEN

    await eventually(announced)
    await asyncio.sleep(0.2)
    assert AFTER_COMMIT_SEEN.count("hook:1") == 1


async def test_database_outage_retries_without_exhausting_attempts(probe, publish):
    settings = probe.settings
    await set_failures(settings, "outage", -1)
    await publish(settings.events_exchange, new_event("thing.outage", {"name": "outage"}, producer="t", user_id="u"))
    # Several times longer than all retry delays together: a handler error would be dead by now.
    await asyncio.sleep(6 * sum(settings.retry_delays_ms) / 1000)
    assert await list_dead_letters(AMQP_URL, settings.events_exchange, "probe") == []
    await set_failures(settings, "outage", 0)

    async def handled():
        return await effects(settings) == ["outage"]

    await eventually(handled)
