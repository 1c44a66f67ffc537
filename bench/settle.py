"""How long after a fill-up load stops until every fill-up has had its effects (issue 13).

Polls the suite's bench databases until: the fuel_logs outbox is empty; every vehicle's odometer
in vehicles is the highest reading of its fill-ups; fuel_logs' and maintenance's projections
carry that odometer (the vehicle.updated that follows); stations holds one observed price per
fill-up. Prints one Markdown row. A pipeline that defers or drops work never gets there.

    python bench/settle.py --prepare          # before the suite starts: no fill-ups, odometers at 0
    python bench/settle.py --since <epoch seconds the load stopped> [--timeout 30]

Preparing matters: the harness's fill-ups start at the same odometer every run, so on top of an
earlier run's data they would raise nothing, and the vehicle.updated round trip would be skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import asyncpg

POLL_SECONDS = 0.05


async def lagging(db: dict[str, asyncpg.Connection]) -> dict[str, int]:
    """What is not done yet, by effect (all zero when settled)."""
    highest = {row["vehicle_id"]: int(row["odometer"]) for row in await db["fuel_logs"].fetch(
        "SELECT vehicle_id, max(odometer_reading) AS odometer FROM fuel_logs GROUP BY vehicle_id")}
    ids = list(highest)
    vehicles = {row["id"]: row["odometer_reading"] for row in await db["vehicles"].fetch(
        "SELECT id, odometer_reading FROM vehicles WHERE id = ANY($1::uuid[])", ids)}
    fuel_projection = {row["vehicle_id"]: row["odometer"] for row in await db["fuel_logs"].fetch(
        "SELECT vehicle_id, odometer FROM vehicle_projection WHERE vehicle_id = ANY($1::uuid[])", ids)}
    maintenance_projection = {row["vehicle_id"]: int(row["odometer"]) for row in await db["maintenance"].fetch(
        "SELECT vehicle_id, odometer FROM vehicle_projection WHERE vehicle_id = ANY($1::uuid[])", ids)}
    fill_ups = await db["fuel_logs"].fetchval("SELECT count(*) FROM fuel_logs")
    prices = await db["stations"].fetchval("SELECT count(*) FROM observed_prices")
    # At least the highest reading: events of an earlier run still in a queue may raise it further.
    return {
        "outbox": await db["fuel_logs"].fetchval("SELECT count(*) FROM outbox"),
        "vehicles odometer": sum((vehicles.get(v) or 0) < odometer for v, odometer in highest.items()),
        "fuel_logs projection": sum(fuel_projection.get(v) != vehicles.get(v) for v in highest),
        "maintenance projection": sum(maintenance_projection.get(v) != vehicles.get(v) for v in highest),
        "stations prices": max(fill_ups - prices, 0),
    }


NAMES = ("vehicles", "fuel_logs", "stations", "maintenance")
CLEAR = {
    "vehicles": ["UPDATE vehicles SET odometer_reading = 0"],
    "fuel_logs": ["DELETE FROM fuel_logs", "UPDATE vehicle_projection SET odometer = 0"],
    "stations": ["DELETE FROM observed_prices"],
    "maintenance": ["DELETE FROM vehicle_odometer_readings", "UPDATE vehicle_projection SET odometer = 0"],
}


async def connect() -> dict[str, asyncpg.Connection]:
    return {name: await asyncpg.connect(os.environ[f"{name.upper()}_DATABASE_URL"]) for name in NAMES}


async def prepare() -> None:
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
        while True:
            behind = await lagging(db)
            waited = time.time() - since
            if not any(behind.values()) or waited > timeout:
                break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        for conn in db.values():
            await conn.close()
    settled = not any(behind.values())
    verdict = ("met" if waited <= 5 else "missed") if settled else "missed (not settled)"
    left = ", ".join(f"{name} {n}" for name, n in behind.items() if n) or "nothing"
    print(f"| {fill_ups} | {waited * 1000:.0f} ms | {left} | {verdict} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--since", type=float)
    parser.add_argument("--timeout", type=float, default=30.0)
    arguments = parser.parse_args()
    asyncio.run(prepare() if arguments.prepare else main(arguments.since, arguments.timeout))
