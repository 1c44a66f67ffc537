"""The pipelined Redis connection against the real server: replies in order, errors per command,
scripts a server has forgotten, a lost connection and a silent server."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as redis
from redis.exceptions import ConnectionError, RedisError, ResponseError, TimeoutError

from shared.redis_pipeline import PipelinedRedis
from shared.testing.infra import REDIS_URL, free_port
from shared.testing.private_servers import PrivateRedis


@pytest.fixture
async def client():
    client = PipelinedRedis(REDIS_URL, timeout=2)
    yield client
    await client.aclose()


async def test_commands_of_one_turn_share_a_write_and_each_gets_its_own_reply(client, infra):
    keys = [f"{infra.redis_prefix}pipeline:{n}" for n in range(200)]
    await asyncio.gather(*(client.set(key, str(n), ex=60) for n, key in enumerate(keys)))
    replies = await asyncio.gather(*(client.get(key) for key in keys))
    assert replies == [str(n).encode() for n in range(200)]
    assert await client.mget(keys[0], infra.redis_prefix + "pipeline:missing", keys[-1]) == [b"0", None, b"199"]
    assert await client.delete(*keys) == 200


async def test_an_error_reply_fails_its_own_command_only(client, infra):
    key = infra.redis_prefix + "pipeline:text"
    await client.set(key, "not a number", ex=60)
    wrong, right = await asyncio.gather(client.execute_command("INCR", key), client.get(key),
                                        return_exceptions=True)
    assert isinstance(wrong, ResponseError) and "not an integer" in str(wrong)
    assert right == b"not a number"


async def test_a_script_the_server_does_not_know_is_sent_once_then_runs_by_its_hash(client, infra):
    script = client.register_script(f"-- {infra.run_id}\nreturn {{KEYS[1], ARGV[1], 7}}")
    observer = redis.from_url(REDIS_URL)
    try:
        await observer.script_flush()
        assert await script(keys=["k"], args=["v"]) == [b"k", b"v", 7]
        assert (await observer.script_exists(script._sha)) == [True]  # loaded by the EVAL fallback
        assert await script(keys=["k2"], args=["w"]) == [b"k2", b"w", 7]
    finally:
        await observer.aclose()


async def test_a_cancelled_caller_does_not_shift_the_replies_of_the_others(client, infra):
    key = infra.redis_prefix + "pipeline:order"
    await client.set(key, "value", ex=60)
    abandoned = asyncio.ensure_future(client.execute_command("ECHO", "abandoned"))
    kept = asyncio.ensure_future(client.get(key))
    await asyncio.sleep(0)
    abandoned.cancel()
    assert await kept == b"value"
    assert await client.execute_command("ECHO", "next") == b"next"


async def test_a_lost_connection_fails_what_waits_and_the_next_command_reconnects():
    server = await PrivateRedis().start()
    client = PipelinedRedis(server.url, timeout=2, connect_timeout=0.5)
    try:
        assert await client.ping()
        blocked = asyncio.ensure_future(client.execute_command("BLPOP", "never", 0))
        await asyncio.sleep(0.05)
        await server.stop()
        with pytest.raises(ConnectionError):
            await blocked
        with pytest.raises(ConnectionError):  # down: fails at once, as an outage
            await client.get("anything")
        await server.start()
        assert await client.ping()
    finally:
        await client.aclose()
        await server.remove()


async def test_a_server_that_never_answers_times_out_as_a_redis_error():
    silent_connections = []

    async def accept_and_stay_silent(reader, writer):
        silent_connections.append(writer)

    port = free_port()
    silent = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", port)
    client = PipelinedRedis(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(client.get("a"), client.get("b"), return_exceptions=True)
        assert all(isinstance(result, TimeoutError) and isinstance(result, RedisError) for result in results)
        assert asyncio.get_running_loop().time() - started < 2
    finally:
        await client.aclose()
        for writer in silent_connections:
            writer.close()
        silent.close()
        await silent.wait_closed()


async def test_nothing_listening_is_a_connection_error():
    client = PipelinedRedis(f"redis://127.0.0.1:{free_port()}/0", timeout=1)
    try:
        for _ in range(3):
            with pytest.raises(ConnectionError):
                await client.get("anything")
    finally:
        await client.aclose()


async def test_the_database_of_the_url_is_selected(infra):
    key = infra.redis_prefix + "pipeline:db"
    client = PipelinedRedis(REDIS_URL.rsplit("/", 1)[0] + "/5", timeout=2)
    observer = redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/5")
    try:
        await client.set(key, "in five", ex=60)
        assert await observer.get(key) == b"in five"
    finally:
        await client.aclose()
        await observer.aclose()
