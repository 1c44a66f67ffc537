"""Outages of the database and of Redis: 503 in the error shape, one log line per outage, recovery by itself."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest

from shared.cache import Cache
from shared.outage import OutageLog
from shared.testing.infra import free_port
from shared.testing.tcp_proxy import TcpProxy
from shared.testing.waiting import eventually, until_ready

from .probe import create_probe_app


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.pure
def test_an_outage_is_logged_when_it_starts_while_it_lasts_and_when_it_ends(caplog):
    clock = Clock()
    outage = OutageLog("PostgreSQL", logging.getLogger("test.outage"), clock=clock)
    with caplog.at_level(logging.INFO, logger="test.outage"):
        outage.succeeded()  # nothing to end
        for second in range(25):
            clock.now = float(second)
            for _ in range(100):
                outage.failed(ConnectionRefusedError("refused"))
        clock.now = 30.0
        outage.succeeded()
        outage.succeeded()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("PostgreSQL unavailable (ConnectionRefusedError")
    assert [line for line in lines if "still unavailable" in line] == [
        "PostgreSQL still unavailable after 10 s: 1001 failed operations so far",
        "PostgreSQL still unavailable after 20 s: 2001 failed operations so far",
    ]
    assert lines[-1] == "PostgreSQL back after 30.0 s: 2500 failed operations"
    assert len(lines) == 4
    assert caplog.records[0].levelno == logging.ERROR


def proxied(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()


async def test_a_database_outage_is_a_503_with_retry_after_and_passes_by_itself(probe_settings, serve, identity, caplog):
    settings = await probe_settings()
    target = urlsplit(settings.database_url)
    proxy = TcpProxy(target.hostname, target.port)
    await proxy.start()
    settings = settings.model_copy(update={"database_url": proxied(settings.database_url, proxy)})
    client = await serve(create_probe_app(settings))
    await until_ready(client)
    assert (await client.post("/things", json={"name": "before"}, headers=identity("u1"))).status == 201

    await proxy.cut()
    with caplog.at_level(logging.INFO, logger="motovault.db"):
        answers = [await client.post("/things", json={"name": f"during-{i}"}, headers=identity("u1"))
                   for i in range(5)]
        for answer in answers:
            body = await answer.json()
            assert answer.status == 503, body
            assert body["statusCode"] == 503 and body["requestId"]
            assert answer.headers["Retry-After"] == "2"
        assert (await client.get("/ready")).status == 503

        await proxy.start()

        async def writes_again() -> bool:
            return (await client.post("/things", json={"name": "after"}, headers=identity("u1"))).status == 201

        await eventually(writes_again, timeout=5)
    assert (await client.get("/ready")).status == 200
    outage_lines = [r.getMessage() for r in caplog.records if r.name == "motovault.db"]
    assert len([line for line in outage_lines if "unavailable (" in line]) == 1
    assert any(line.startswith("PostgreSQL back after") for line in outage_lines)
    await proxy.cut()


@pytest.fixture
async def private_redis(tmp_path):
    """A Redis server of this test alone: stopping the machine's would disturb every other run."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(tmp_path)]

    async def start():
        process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)
        await asyncio.sleep(0.3)
        return process

    server = {"process": await start()}

    async def stop():
        server["process"].terminate()
        await server["process"].wait()

    async def restart():
        server["process"] = await start()

    yield f"redis://127.0.0.1:{port}/0", stop, restart
    if server["process"].returncode is None:
        await stop()


async def test_a_redis_outage_is_logged_once_and_reads_fall_through(private_redis, caplog):
    from shared.redis_pipeline import PipelinedRedis

    url, stop, restart = private_redis
    client = PipelinedRedis(url, timeout=1)
    cache = Cache(client, "test:", edge_prefix="edge:", scope="probe")
    loads = []

    async def load() -> dict:
        loads.append(1)
        return {"n": len(loads)}

    assert await cache.get_or_load("k", 60, load) == {"n": 1}
    assert await cache.get_or_load("k", 60, load) == {"n": 1}  # a hit
    await stop()
    with caplog.at_level(logging.INFO, logger="motovault.cache"):
        for _ in range(20):
            assert (await cache.get_or_load("k", 60, load))["n"] > 1  # from the database, never an error
            await cache.user_changed("u1", "k")
        await restart()

        def cache_messages() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "motovault.cache"]

        async def reads_from_redis_again() -> bool:
            await cache.get_or_load("k", 60, load)
            return any(m.startswith("Redis (cache) back after") for m in cache_messages())

        await eventually(reads_from_redis_again, timeout=5)
    messages = cache_messages()
    assert len([m for m in messages if "unavailable (" in m]) == 1, messages
    assert len(messages) <= 3, messages  # start, perhaps one count, end: not one per request
    await client.aclose()
