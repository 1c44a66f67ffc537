"""Writers and readers through the edge that keep going through an outage and remember every
answer, so a test can check afterwards what was acknowledged, what was refused and how.

Each driver is one user with one vehicle that fuel_logs and maintenance already know (so no answer
depends on an event still in flight). Its writer cycles through creating a fill-up, a maintenance
record and a further vehicle, each marked with a unique note or nickname, odometer readings rising
with every attempt; its reader lists and reads what the user has.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.suite import User

# Between two requests of one task: a steady, bounded load (a few tasks, tens of requests a second).
PAUSE = 0.05
WRITE_PATHS = {"vehicle": "/api/vehicles", "fill-up": "/api/fuel-logs", "record": "/api/maintenance/records"}


@dataclass
class Answer:
    kind: str  # "vehicle", "fill-up", "record", or "read"
    method: str
    path: str
    status: int  # 0: no HTTP answer at all (connection error or client timeout)
    body: Any
    retry_after: str | None
    started: float  # time.monotonic()
    ended: float
    marker: str | None = None  # the write's note or nickname
    odometer: int | None = None

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status} {str(self.body)[:300]}"


@dataclass
class Driver:
    name: str
    user: User
    vehicle_id: str
    odometer: int  # the last reading sent; every write sends a higher one
    answers: list[Answer] = field(default_factory=list)
    _markers: itertools.count = field(default_factory=itertools.count)

    def writes(self) -> list[Answer]:
        return [answer for answer in self.answers if answer.kind != "read"]

    def highest_acknowledged_odometer(self, initial: int) -> int:
        readings = [a.odometer for a in self.writes() if a.acknowledged and a.odometer is not None]
        return max([initial, *readings])

    async def send(self, kind: str, method: str, path: str, body: dict | None = None,
                   marker: str | None = None, odometer: int | None = None) -> Answer:
        started = time.monotonic()
        try:
            async with self.user.http.request(method, self.user.edge + path, headers=self.user.headers,
                                              json=body) as response:
                payload: Any = await response.read()
                if response.content_type == "application/json" and payload:
                    payload = await response.json()
                status, retry_after = response.status, response.headers.get("Retry-After")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            payload, status, retry_after = f"{type(exc).__name__}: {exc}", 0, None
        answer = Answer(kind, method, path, status, payload, retry_after, started, time.monotonic(), marker, odometer)
        self.answers.append(answer)
        return answer

    def write_body(self, kind: str, marker: str, odometer: int) -> dict:
        if kind == "vehicle":
            return {"licensePlate": marker, "nickname": marker, "year": 2020}
        if kind == "fill-up":
            return {"vehicleId": self.vehicle_id, "dateTime": "2026-06-01T08:00:00+00:00",
                    "odometerReading": odometer, "fuelUnits": "5", "costPerUnit": "3.5", "notes": marker}
        return {"vehicleId": self.vehicle_id, "category": "routine_maintenance", "subtypes": ["Engine Oil"],
                "date": "2026-06-01", "odometerReading": odometer, "notes": marker}

    async def write_until(self, stop: asyncio.Event) -> None:
        for kind in itertools.cycle(("fill-up", "record", "vehicle")):
            if stop.is_set():
                return
            marker = f"{self.name}-{next(self._markers)}"
            odometer = None
            if kind != "vehicle":
                self.odometer += 10
                odometer = self.odometer
            await self.send(kind, "POST", WRITE_PATHS[kind], self.write_body(kind, marker, odometer), marker,
                            odometer)
            await asyncio.sleep(PAUSE)

    async def read_until(self, stop: asyncio.Event) -> None:
        paths = ["/api/vehicles", f"/api/vehicles/{self.vehicle_id}", f"/api/fuel-logs/vehicle/{self.vehicle_id}",
                 f"/api/maintenance/records/vehicle/{self.vehicle_id}", "/api/fuel-logs"]
        for path in itertools.cycle(paths):
            if stop.is_set():
                return
            await self.send("read", "GET", path)
            await asyncio.sleep(PAUSE)


class Load:
    """Every driver's writer and reader, from start() until stop()."""

    def __init__(self, drivers: list[Driver]) -> None:
        self.drivers = drivers
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        for driver in self.drivers:
            self._tasks += [asyncio.create_task(driver.write_until(self._stop)),
                            asyncio.create_task(driver.read_until(self._stop))]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def answers(self, since: float = 0.0) -> list[Answer]:
        return [a for driver in self.drivers for a in driver.answers if a.started >= since]
