"""What one consuming service spends per event when a burst of fill-ups arrives (issue 13).

Starts the service alone (pinned to CPU 0, the rest of the suite down), waits until it is ready,
publishes `--events` fuel_log.created.v1 events for the bench's vehicles as fast as the broker
confirms them, or one by one at `--rate` per second as under a steady load (from CPU 1), and waits until the service's inbox holds every one. Prints one
Markdown row: events per second handled, CPU microseconds per event, batches and their mean size.
Uses the env file of bench/run (bench/out/bench.env) and the vehicles it seeded. The burst reaches
every consumer's queue; they are emptied at the end, so the next bench/profile or bench/settle does
not count them.

    python bench/consume.py --service vehicles --events 5000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aio_pika
import aiohttp
import asyncpg

from services.fuel_logs.events import fuel_log_created
from settle import purge_queues
from shared.events.topology import work_queue_name

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BATCHES = re.compile(r'^events_batch_size_(count|sum) (\S+)$', re.MULTILINE)


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def fill_up_events(vehicles: list[asyncpg.Record], count: int) -> list[aio_pika.Message]:
    """Fill-ups as fuel_logs writes them, readings rising per vehicle, one day apart."""
    start = datetime(2024, 1, 1, 8, tzinfo=UTC)
    messages = []
    for n in range(count):
        vehicle = vehicles[n % len(vehicles)]
        row = {"id": uuid.uuid4(), "user_id": vehicle["user_id"], "vehicle_id": vehicle["id"],
               "date_time": start + timedelta(days=n // len(vehicles)), "odometer_reading": Decimal(20_000 + n),
               "trip_distance": None, "fuel_type": "gasoline", "fuel_grade": "87", "fuel_units": Decimal("40.5"),
               "cost_per_unit": Decimal("3.459"), "total_cost": Decimal("140.09"), "is_full_fill": True,
               "station_place_id": f"bench-place-{n % 50}"}
        event = fuel_log_created(row)
        messages.append(aio_pika.Message(event.to_json(), message_id=str(event.id), content_type="application/json",
                                         delivery_mode=aio_pika.DeliveryMode.PERSISTENT, type=event.routing_key))
    return messages


async def batch_metrics(http: aiohttp.ClientSession, port: int) -> tuple[float, float]:
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        found = dict(BATCHES.findall(await response.text()))
    return float(found.get("count", 0)), float(found.get("sum", 0))


async def main(service: str, count: int, rate: float) -> None:
    prefix = service.upper()
    database = os.environ[f"{prefix}_DATABASE_URL"]
    exchange_name = os.environ[f"{prefix}_EVENTS_EXCHANGE"]
    port = int(os.environ[f"{prefix}_PORT"])
    vehicles_db = await asyncpg.connect(os.environ["VEHICLES_DATABASE_URL"])
    try:
        vehicles = await vehicles_db.fetch(
            "SELECT id, user_id FROM vehicles WHERE deleted_at IS NULL ORDER BY created_at LIMIT 10")
    finally:
        await vehicles_db.close()
    messages = fill_up_events(vehicles, count)

    broker = await aio_pika.connect(os.environ[f"{prefix}_AMQP_URL"])
    channel = await broker.channel(publisher_confirms=True)
    await (await channel.declare_queue(work_queue_name(exchange_name, service), passive=True)).purge()
    exchange = await channel.get_exchange(exchange_name)
    process = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-m", f"services.{service}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = await asyncpg.connect(database)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/ready") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)  # start-up work settles
            inbox_before = await db.fetchval("SELECT count(*) FROM inbox")
            batches_before = await batch_metrics(http, port)
            cpu_before, started = cpu_seconds(process.pid), time.monotonic()
            if rate:
                # One at a time, as a relay under a steady load publishes them.
                due = time.monotonic()
                for message in messages:
                    await exchange.publish(message, "fuel_log.created.v1")
                    due += 1 / rate
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
            else:
                for chunk in range(0, count, 256):
                    await asyncio.gather(*(exchange.publish(m, "fuel_log.created.v1")
                                           for m in messages[chunk:chunk + 256]))
            while await db.fetchval("SELECT count(*) FROM inbox") - inbox_before < count:
                await asyncio.sleep(0.02)
            elapsed, cpu = time.monotonic() - started, cpu_seconds(process.pid) - cpu_before
            batches_after = await batch_metrics(http, port)
    finally:
        process.terminate()
        process.wait(30)
        await db.close()
        await broker.close()
        await purge_queues()  # the burst also reached the other consumers' queues: not theirs to work off
    batches = batches_after[0] - batches_before[0]
    size = (batches_after[1] - batches_before[1]) / batches if batches else 0
    print(f"| {service} | {count} | {count / elapsed:,.0f} | {cpu * 1e6 / count:,.0f} | {batches:,.0f} | {size:.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", default="vehicles")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=0,
                        help="events per second, published one by one (default: a burst, as fast as confirmed)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.service, arguments.events, arguments.rate))
