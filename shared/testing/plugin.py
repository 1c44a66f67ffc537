"""Pytest fixtures shared by every service's tests (loaded by the root conftest.py)."""

from __future__ import annotations

import asyncio
import io
import warnings
from typing import AsyncIterator, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from moto.server import ThreadedMotoServer

from ..identity import ASSERTION_HEADER, IdentitySigner
from .infra import AMQP_URL, IDENTITY_SECRET, REDIS_URL, TestInfra, free_port

# An app's shutdown is bounded by its own timeouts (2 s each in tests); far beyond them, it hangs.
APP_CLOSE_SECONDS = 30


def pending_tasks() -> str:
    """Every task of the loop but this one, with where it waits."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.print_stack(limit=8, file=out)
    return out.getvalue()


@pytest.fixture(scope="session")
async def infra() -> AsyncIterator[TestInfra]:
    test_infra = TestInfra()
    yield test_infra
    await test_infra.cleanup()


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """moto's S3 server on a free port: a real HTTP S3 endpoint, not an in-process patch."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def identity() -> Callable[[str], dict[str, str]]:
    """Headers carrying the edge's assertion for a user, as the edge would add them."""
    signer = IdentitySigner(IDENTITY_SECRET)
    return lambda user_id: {ASSERTION_HEADER: signer.sign(user_id)}


@pytest.fixture
async def backed_settings(infra: TestInfra, s3_endpoint: str):
    """Settings values for a feature service: fresh database, own exchange, fast retries."""

    created: list[str] = []

    async def make(name: str, **overrides) -> dict:
        exchange = infra.new_exchange()
        created.append(exchange)
        values = dict(
            port=free_port(),
            identity_secret=IDENTITY_SECRET,
            database_url=await infra.create_database(name),
            redis_url=REDIS_URL,
            redis_prefix=infra.redis_prefix + f"{name}:",
            edge_cache_prefix=infra.redis_prefix + "edge-cache:",
            amqp_url=AMQP_URL,
            events_exchange=exchange,
            retry_delays_ms=[100, 200],
            outbox_poll_interval=0.5,
            outbox_max_backoff=1.0,
            publish_timeout=2.0,
            shutdown_timeout=2.0,
            s3_endpoint_url=s3_endpoint,
            s3_access_key="test",
            s3_secret_key="test-secret",
            s3_bucket=f"mvt-{infra.run_id}",
        )
        values.update(overrides)
        return values

    yield make
    await infra.delete_exchanges(created)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[web.Application], "TestClient"]]:
    """Start apps on real sockets for the test; stop them (cleanly, with their pools) after."""
    clients: list[TestClient] = []

    async def start(app: web.Application, port: int | None = None) -> TestClient:
        server = TestServer(app, port=port or free_port())
        # A request left open by a test must not hold the teardown for aiohttp's default 60 s.
        await server.start_server(shutdown_timeout=2)
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        try:
            await asyncio.wait_for(client.close(), APP_CLOSE_SECONDS)
        except TimeoutError:
            # A shutdown step that never ends is a bug to find, not a run to hang: say what waits.
            warnings.warn(f"closing an app took over {APP_CLOSE_SECONDS} s; still running:\n{pending_tasks()}")


@pytest.fixture
async def standin():
    """Start stand-ins for third-party APIs; they stop after the test."""
    from .standin import StandIn

    started: list[StandIn] = []

    async def start(routes) -> StandIn:
        server = await StandIn(routes).start()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.stop()


# Fixtures that reach PostgreSQL, Redis, RabbitMQ or S3 (directly or through what they start).
INFRASTRUCTURE_FIXTURES = frozenset({"infra", "s3_endpoint", "backed_settings"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `pure` must not ask for the infrastructure: `pytest -m pure` runs without it."""
    for item in items:
        if item.get_closest_marker("pure") is None:
            continue
        reaching = INFRASTRUCTURE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if reaching:
            raise pytest.UsageError(f"{item.nodeid} is marked pure but uses {sorted(reaching)}")
