"""Outbox throughput (issue 8, part 2; target: at least 80 % of the broker's raw publish rate).

Two measurements in one run, same broker, same client code (shared.events.broker.Broker), same
message size, same exchange with one bound queue:
- raw: N messages published with confirms, 256 in flight at a time (the relay's batch size);
- relay drain: N events already committed (one bulk transaction), published by the relay alone;
- outbox: N events committed by WRITERS concurrent writers, one event per transaction (as a request
  handler does, through shared.events.enqueue), while shared.events.relay.OutboxRelay publishes
  them with confirms and deletes the rows; the clock stops when the last row has left the outbox.

Uses its own database (motovault_bench_outbox), exchange (motovault.bench.outbox) and queue, all
created here; the queue is deleted at the end. Run by bench/outbox (pinned to CPU 0 like a service).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aio_pika
from prometheus_client import CollectorRegistry

from shared.db import ensure_database, migrate, open_pool
from shared.events import enqueue, new_event
from shared.events.broker import Broker
from shared.events.relay import OutboxRelay
from shared.transactions import transaction

N = int(os.environ.get("EVENTS", "5000"))
WRITERS = int(os.environ.get("WRITERS", "16"))
IN_FLIGHT = 256
DSN = os.environ.get("OUTBOX_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/motovault_bench_outbox")
AMQP = os.environ.get("OUTBOX_BENCH_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
EXCHANGE = "motovault.bench.outbox"
QUEUE = "motovault.bench.outbox.sink"


def sample_event():
    # About the size of a fuel_log.created event.
    return new_event("bench.outbox", {
        "fuelLogId": str(uuid.uuid4()), "vehicleId": str(uuid.uuid4()), "dateTime": "2026-11-21T07:00:00+00:00",
        "odometerReading": 123456, "fuelType": "gasoline", "fuelGrade": "87", "fuelUnits": 12.5,
        "costPerUnit": 3.299, "totalCost": 41.24, "isFullFill": True, "notes": None,
    }, producer="bench", user_id="bench-outbox")


async def queue_depth(channel) -> int:
    q = await channel.declare_queue(QUEUE, passive=True)
    return q.declaration_result.message_count


async def main() -> None:
    await ensure_database(DSN)
    with tempfile.TemporaryDirectory() as no_service_migrations:
        await migrate(DSN, Path(no_service_migrations))
    pool = await open_pool(DSN, min_size=WRITERS, max_size=WRITERS + 2)  # as a service's pool
    await pool.execute("DELETE FROM outbox")

    admin = await aio_pika.connect(AMQP)
    channel = await admin.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(QUEUE, durable=True)
    await queue.bind(exchange, "#")
    await queue.purge()

    broker = Broker(AMQP, EXCHANGE, connection_name="bench-outbox")
    broker.start()
    await asyncio.wait_for(broker.connected.wait(), 10)
    body = sample_event().to_json()

    # Raw: the broker alone.
    t0 = time.perf_counter()
    for start in range(0, N, IN_FLIGHT):
        await asyncio.gather(*(broker.publish("bench.outbox.v1", body, message_id=str(uuid.uuid4()))
                               for _ in range(min(IN_FLIGHT, N - start))))
    raw = N / (time.perf_counter() - t0)
    await queue.purge()

    async def outbox_empty() -> float:
        while await pool.fetchval("SELECT count(*) FROM outbox"):
            await asyncio.sleep(0.002)
        return time.perf_counter()

    # Relay drain: a full outbox, the relay alone.
    async with transaction(pool) as conn:
        await enqueue(conn, *(sample_event() for _ in range(N)))
    relay = OutboxRelay(pool, broker, registry=CollectorRegistry(), poll_interval=0.05)
    t0 = time.perf_counter()
    relay.start()
    drain = N / (await outbox_empty() - t0)
    await queue.purge()
    await asyncio.sleep(0.5)  # the relay's LISTEN connection is up

    # Outbox: commit + relay with confirms.

    async def writer(count: int) -> None:
        for _ in range(count):
            async with transaction(pool) as conn:
                await enqueue(conn, sample_event())

    t0 = time.perf_counter()
    await asyncio.gather(*(writer(N // WRITERS + (1 if i < N % WRITERS else 0)) for i in range(WRITERS)))
    committed = time.perf_counter() - t0
    published = await outbox_empty() - t0
    await relay.stop()
    await broker.close()
    depth = await queue_depth(channel)
    await queue.delete(if_unused=False, if_empty=False)
    await admin.close()
    await pool.close()

    outbox = N / published
    print(f"| {N} | {WRITERS} | {raw:,.0f} | {drain:,.0f} ({drain / raw:.0%}) | {N / committed:,.0f} | "
          f"{outbox:,.0f} | {outbox / raw:.0%} | "
          f"{'met' if outbox >= 0.8 * raw else 'missed'} | {depth} |")


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
