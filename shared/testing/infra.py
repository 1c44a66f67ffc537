"""Isolated slices of the real infrastructure for one test session.

Every session gets its own databases (`mvt_<run>_<name>`), Redis key prefix (`mvt:<run>:`),
exchange and queue names (`mvt.<run>.<n>.events...`) and an S3 server on a free port, so test
runs, CI and local runs share the machine's PostgreSQL, Redis and RabbitMQ without meeting.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import redis.asyncio as redis

from ..events.topology import dead_queue_name, retry_queue_name, work_queue_name

PG_URL = os.environ.get("MOTOVAULT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("MOTOVAULT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
AMQP_URL = os.environ.get("MOTOVAULT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
IDENTITY_SECRET = "test-identity-secret-0123456789abcdef"
# Retry delays the tests configure (fast); the services' defaults are here too for cleanup.
RETRY_DELAYS_IN_TESTS = (100, 200, 1_000, 5_000, 30_000)
# Consumers whose queues a test exchange may have ("probe" is the platform tests' own service).
SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts", "probe")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


@dataclass
class TestInfra:
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    databases: list[str] = field(default_factory=list)
    exchanges: dict[str, set[str]] = field(default_factory=dict)

    @property
    def redis_prefix(self) -> str:
        return f"mvt:{self.run_id}:"

    async def create_database(self, name: str) -> str:
        """A fresh, empty database for this session; its URL."""
        db_name = f"mvt_{self.run_id}_{name}_{len(self.databases)}"
        admin = await asyncpg.connect(PG_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{db_name}"')
        finally:
            await admin.close()
        self.databases.append(db_name)
        return database_url(db_name)

    def new_exchange(self, consumers: tuple[str, ...] = SERVICES) -> str:
        """A fresh exchange name; queues of the named consuming services are removed at the end."""
        name = f"mvt.{self.run_id}.{len(self.exchanges)}.events"
        self.exchanges[name] = set(consumers)
        return name

    async def delete_exchanges(self, names: list[str]) -> None:
        """Delete exchanges and their services' queues, so a long run does not pile up quorum queues."""
        connection = await aio_pika.connect(AMQP_URL, timeout=10)
        try:
            channel = await asyncio.wait_for(connection.channel(), 10)
            for exchange in names:
                for service in self.exchanges.pop(exchange, ()):
                    queues = [work_queue_name(exchange, service), dead_queue_name(exchange, service)]
                    queues += [retry_queue_name(exchange, service, delay) for delay in RETRY_DELAYS_IN_TESTS]
                    for queue in queues:
                        await asyncio.wait_for(channel.queue_delete(queue), 10)
                await asyncio.wait_for(channel.exchange_delete(exchange), 10)
        finally:
            # A broker busy deleting quorum queues may be slow to close: never wait on it for ever.
            await asyncio.gather(asyncio.wait_for(connection.close(), 10), return_exceptions=True)

    async def cleanup(self) -> None:
        admin = await asyncpg.connect(PG_URL)
        try:
            for db in self.databases:
                await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        finally:
            await admin.close()
        client = redis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=self.redis_prefix + "*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
        await asyncio.wait_for(self.delete_exchanges(list(self.exchanges)), 120)
