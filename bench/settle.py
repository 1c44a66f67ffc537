"""How long after a fill-up load stops until every fill-up has had its effects (issue 13).

Polls the suite's bench databases until: the fuel_logs outbox is empty; every vehicle's odometer
in vehicles is the one its fill-ups give (the latest-dated reading, as vehicles derives it from
its odometer log); fuel_logs' and maintenance's projections
carry that odometer (the vehicle.updated that follows); stations holds one observed price per
fill-up. Prints one Markdown row. A pipeline that defers or drops work never gets there.

    python bench/settle.py --prepare          # before the suite starts: no fill-ups or odometer log
    python bench/settle.py --since <epoch seconds the load stopped> [--timeout 30]

Preparing matters: the harness's fill-ups start at the same odometer every run, so on top of an
earlier run's data they would raise nothing, and the vehicle.updated round trip would be skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import aio_pika
import asyncpg

from shared.events.topology import retry_queue_name, work_queue_name
from shared.settings import BackedServiceSettings

DEFAULT_RETRY_DELAYS_MS = BackedServiceSettings.model_fields["retry_delays_ms"].default

POLL_SECONDS = 0.05


async def lagging(db: dict[str, asyncpg.Connection]) -> dict[str, int]:
    """What is not done yet, by effect (all zero when settled)."""
    # The odometer vehicles derives from its log: the latest-dated reading (UTC dates), on the same
    # date the higher one. The load's dates cycle through a year while its readings rise, so this
    # is not the highest reading.
    current = {row["vehicle_id"]: int(row["odometer"]) for row in await db["fuel_logs"].fetch(
        """SELECT DISTINCT ON (vehicle_id) vehicle_id, odometer_reading AS odometer FROM fuel_logs
           WHERE odometer_reading IS NOT NULL
           ORDER BY vehicle_id, (date_time AT TIME ZONE 'UTC')::date DESC, odometer_reading DESC""")}
    ids = list(current)
    vehicles = {row["id"]: row["odometer_reading"] for row in await db["vehicles"].fetch(
        "SELECT id, odometer_reading FROM vehicles WHERE id = ANY($1::uuid[])", ids)}
    fuel_projection = {row["vehicle_id"]: row["odometer"] for row in await db["fuel_logs"].fetch(
        "SELECT vehicle_id, odometer FROM vehicle_projection WHERE vehicle_id = ANY($1::uuid[])", ids)}
    maintenance_projection = {row["vehicle_id"]: int(row["odometer"]) for row in await db["maintenance"].fetch(
        "SELECT vehicle_id, odometer FROM vehicle_projection WHERE vehicle_id = ANY($1::uuid[])", ids)}
    fill_ups = await db["fuel_logs"].fetchval("SELECT count(*) FROM fuel_logs")
    prices = await db["stations"].fetchval("SELECT count(*) FROM observed_prices")
    return {
        "outbox": await db["fuel_logs"].fetchval("SELECT count(*) FROM outbox"),
        "vehicles odometer": sum(vehicles.get(v) != odometer for v, odometer in current.items()),
        "fuel_logs projection": sum(fuel_projection.get(v) != vehicles.get(v) for v in current),
        "maintenance projection": sum(maintenance_projection.get(v) != vehicles.get(v) for v in current),
        "stations prices": max(fill_ups - prices, 0),
    }


NAMES = ("vehicles", "fuel_logs", "stations", "maintenance")
# Events of an earlier load still in an outbox or a queue when its suite stopped would land in
# this run's tables after they were cleared (a reading vehicles logs for a fill-up gone from
# fuel_logs): they go too.
CLEAR = {
    "vehicles": ["DELETE FROM outbox", "DELETE FROM odometer_readings", "UPDATE vehicles SET odometer_reading = 0"],
    "fuel_logs": ["DELETE FROM outbox", "DELETE FROM fuel_logs", "UPDATE vehicle_projection SET odometer = 0"],
    "stations": ["DELETE FROM outbox", "DELETE FROM observed_prices"],
    "maintenance": ["DELETE FROM outbox", "DELETE FROM vehicle_odometer_readings",
                    "UPDATE vehicle_projection SET odometer = 0"],
}
CONSUMERS = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts")


async def purge_queues() -> None:
    """Every consumer's work and retry queues on the bench exchange, emptied (the suite is down)."""
    exchange = os.environ["VEHICLES_EVENTS_EXCHANGE"]
    connection = await aio_pika.connect(os.environ["VEHICLES_AMQP_URL"])
    try:
        for service in CONSUMERS:
            names = [work_queue_name(exchange, service)] + [
                retry_queue_name(exchange, service, delay) for delay in DEFAULT_RETRY_DELAYS_MS]
            for name in names:
                channel = await connection.channel()
                try:
                    await (await channel.declare_queue(name, passive=True)).purge()
                except aio_pika.exceptions.ChannelClosed:
                    pass  # not declared yet: nothing in it
    finally:
        await connection.close()


async def connect() -> dict[str, asyncpg.Connection]:
    return {name: await asyncpg.connect(os.environ[f"{name.upper()}_DATABASE_URL"]) for name in NAMES}


async def prepare() -> None:
    await purge_queues()
    db = await connect()
    try:
        for name, statements in CLEAR.items():
            for statement in statements:
                await db[name].execute(statement)
    finally:
        for conn in db.values():
            await conn.close()


async def main(since: float, timeout: float) -> None:
    db = await connect()
    try:
        fill_ups = await db["fuel_logs"].fetchval("SELECT count(*) FROM fuel_logs")
        done_after: dict[str, float] = {}  # effect -> seconds after the load until it last caught up
        while True:
            behind = await lagging(db)
            waited = time.time() - since
            for effect, count in behind.items():
                if count:
                    done_after.pop(effect, None)
                else:
                    done_after.setdefault(effect, waited)
            if not any(behind.values()) or waited > timeout:
                break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        for conn in db.values():
            await conn.close()
    settled = not any(behind.values())
    verdict = ("met" if waited <= 5 else "missed") if settled else "missed (not settled)"
    left = ", ".join(f"{name} {n}" for name, n in behind.items() if n) or "nothing"
    each = ", ".join(f"{effect} {seconds * 1000:.0f}" for effect, seconds in sorted(done_after.items(),
                                                                                    key=lambda item: item[1]))
    print(f"| {fill_ups} | {waited * 1000:.0f} ms | {each or '-'} | {left} | {verdict} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--since", type=float)
    parser.add_argument("--timeout", type=float, default=30.0)
    arguments = parser.parse_args()
    asyncio.run(prepare() if arguments.prepare else main(arguments.since, arguments.timeout))
