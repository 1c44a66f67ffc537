"""Cascade latency (issue 8, part 2; target: under 1 s): delete a vehicle that has 1,000 fuel logs and
100 maintenance records, then time until every consumer has finished, as the API shows it.

Run by bench/cascade (which starts the suite); argv: edge base URL, bearer token. Everything goes
through the edge, as a client sees it. "Finished" for a consumer: the user's list of its items is
empty again (fuel_logs: GET /api/fuel-logs; maintenance: GET /api/maintenance/records), polled every
POLL seconds from the moment the DELETE was sent. The third consumer, stations, forgets the price of
each removed fill-up from one fuel_log.deleted event per fill-up; the API does not show when it is
done, so its inbox is counted in its database (read-only: the one place the benchmark looks inside).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import sys
import time

import os

import aiohttp
import asyncpg

FUEL_LOGS = 1_000
RECORDS = 100
POLL = 0.005
TIMEOUT = 60.0


async def until(predicate, timeout: float = TIMEOUT, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = await predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(getattr(predicate, "__name__", "condition"))
        await asyncio.sleep(interval)


async def main(edge: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(edge, headers=headers) as http:
        async def call(method: str, path: str, **kwargs):
            async with http.request(method, path, **kwargs) as r:
                return r.status, (await r.json() if r.content_type == "application/json" else await r.text())

        status, vehicle = await call("POST", "/api/vehicles", json={
            "licensePlate": f"CS-{secrets.token_hex(3).upper()}", "year": 2018, "make": "Bench", "model": "Cascade",
        })
        assert status == 201, (status, vehicle)
        vid = vehicle["id"]

        # 1,000 fill-ups in one all-or-nothing CSV import (retried while fuel_logs learns the vehicle).
        start = dt.date(2020, 1, 1)
        rows = ["date,odometer,quantity,price"] + [
            f"{start + dt.timedelta(days=i)},{10_000 + 300 * i},10.5,3.299" for i in range(FUEL_LOGS)
        ]
        csv = "\n".join(rows) + "\n"

        async def imported():
            s, body = await call("POST", f"/api/fuel-logs/vehicle/{vid}/import", data=csv,
                                 headers={"Content-Type": "text/csv"})
            if s == 404:
                return None
            assert s in (200, 201), (s, str(body)[:300])
            return True

        await until(imported)

        async def record(i: int):
            async def created():
                s, body = await call("POST", "/api/maintenance/records", json={
                    "vehicleId": vid, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
                    "date": str(start + dt.timedelta(days=3 * i)), "odometerReading": 10_000 + 900 * i,
                    "cost": "49.99", "shopName": "bench garage",
                })
                if s == 404:
                    return None
                assert s == 201, (s, body)
                return True

            await until(created)

        for i in range(RECORDS):
            await record(i)

        async def counts():
            _, logs = await call("GET", f"/api/fuel-logs/vehicle/{vid}")
            _, records = await call("GET", "/api/maintenance/records")
            return len(logs) if isinstance(logs, list) else None, len(records) if isinstance(records, list) else None

        n_logs, n_records = await counts()
        assert (n_logs, n_records) == (FUEL_LOGS, RECORDS), (n_logs, n_records)
        # Let the fill-ups' own events (odometer, prices) settle first, so they are not timed:
        # fuel_logs' outbox empty and stations' inbox still for a second.
        fuel_db = await asyncpg.connect(os.environ["FUEL_LOGS_DATABASE_URL"])
        stations_db = await asyncpg.connect(os.environ["STATIONS_DATABASE_URL"])
        deleted_seen = "SELECT count(*) FROM inbox WHERE event_type = 'fuel_log.deleted.v1'"

        async def settled():
            before = await stations_db.fetchval("SELECT count(*) FROM inbox")
            await asyncio.sleep(1)
            return (await fuel_db.fetchval("SELECT count(*) FROM outbox") == 0
                    and await stations_db.fetchval("SELECT count(*) FROM inbox") == before)

        await until(settled, timeout=120)
        deleted_before = await stations_db.fetchval(deleted_seen)

        t0 = time.monotonic()
        status, _ = await call("DELETE", f"/api/vehicles/{vid}")
        answered = time.monotonic() - t0
        assert status == 204, status

        async def fuel_logs_gone():
            s, body = await call("GET", "/api/fuel-logs")
            return s == 200 and body == []

        async def maintenance_gone():
            s, body = await call("GET", "/api/maintenance/records")
            return s == 200 and body == []

        async def timed(predicate):
            await until(predicate, interval=POLL)
            return time.monotonic() - t0

        async def prices_forgotten():
            return await stations_db.fetchval(deleted_seen) >= deleted_before + FUEL_LOGS

        fuel, maintenance, stations = await asyncio.gather(
            timed(fuel_logs_gone), timed(maintenance_gone), timed(prices_forgotten))
        await fuel_db.close()
        await stations_db.close()
    total = max(fuel, maintenance, stations)
    print(f"| {FUEL_LOGS} fuel logs + {RECORDS} maintenance records | {answered * 1000:.0f} | "
          f"{fuel * 1000:.0f} | {maintenance * 1000:.0f} | {stations * 1000:.0f} | {total * 1000:.0f} | "
          f"{'met' if total < 1 else 'missed'} ({total:.2f}x of 1 s) |")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
