"""The pipelined Redis connection against the real server: replies in order, errors per command,
scripts a server has forgotten, a lost connection and a silent server."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as redis

from shared.redis_pipeline import (
    PipelinedRedis,
    RedisAddress,
    RedisFailure,
    RedisReplyError,
    RedisTimeout,
    RedisUnavailable,
)
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
    assert isinstance(wrong, RedisReplyError) and "not an integer" in str(wrong)
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
        with pytest.raises(RedisUnavailable):
            await blocked
        with pytest.raises(RedisUnavailable):  # down: fails at once, as an outage
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
        assert all(isinstance(result, RedisTimeout) and isinstance(result, RedisFailure) for result in results)
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
            with pytest.raises(RedisUnavailable):
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


@pytest.mark.parametrize(("url", "expected"), [
    ("redis://127.0.0.1:6379/0", RedisAddress(host="127.0.0.1")),
    ("redis://cache.internal", RedisAddress(host="cache.internal")),
    ("redis://app:s%40cret@cache.internal:6380/3", RedisAddress(host="cache.internal", port=6380, username="app",
                                                               password="s@cret", db=3)),
    ("redis://:only-a-password@cache.internal/2", RedisAddress(host="cache.internal", password="only-a-password",
                                                               db=2)),
    ("rediss://cache.internal:6390?db=4", RedisAddress(host="cache.internal", port=6390, tls=True, db=4)),
    ("unix:///run/redis/redis.sock?db=1", RedisAddress(path="/run/redis/redis.sock", db=1)),
], ids=["local", "defaults", "credentials", "password-only", "tls-query-db", "unix-socket"])
def test_a_url_is_read_as_redis_py_reads_it(url, expected):
    assert RedisAddress.parse(url) == expected
    from redis.connection import SSLConnection, UnixDomainSocketConnection, parse_url

    theirs = parse_url(url)
    assert (theirs.get("path"), theirs.get("username"), theirs.get("password"), int(theirs.get("db", 0))) == (
        expected.path, expected.username, expected.password, expected.db)
    assert (theirs.get("connection_class") is SSLConnection) == expected.tls
    if theirs.get("connection_class") is not UnixDomainSocketConnection:
        assert (theirs.get("host"), int(theirs.get("port", 6379))) == (expected.host, expected.port)


def test_a_url_of_another_scheme_is_refused():
    with pytest.raises(ValueError, match="redis://"):
        RedisAddress.parse("http://cache.internal:6379")
