"""Scale-out: two instances of a feature service behind the edge and on one queue.

fuel_logs runs twice as real processes (one database, one Redis prefix, one exchange and so one
queue; two ports) next to one vehicles and the edge, whose fuel_logs pool lists both instances
(EDGE_UPSTREAM_FUEL_LOGS, round-robin). Each instance's own Prometheus counters tell which one
served a request or handled an event (http_requests_total, events_consumed_total,
outbox_published_total); the database tells what happened in total (inbox, projection).

Requests are spread over both; each event is handled by exactly one of them; stopping one
(SIGTERM, also with handlers that outlast its drain) or killing it (SIGKILL) loses no retryable
request (the edge retries GETs on the other) and no event (deliveries it never acknowledged go
back to the queue and to the survivor).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.testing.environment import feature_service_env
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL, free_port
from shared.testing.processes import WatchedProcess
from shared.testing.waiting import eventually

# Process start-up and shutdown take seconds; still part of the default run (and CI).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60.0
EVENT_TIMEOUT = 20.0
FUEL_LOGS = "/api/fuel-logs"
OWN_PREFIXES = ("EDGE_", "VEHICLES_", "FUEL_LOGS_", "STATIONS_", "MAINTENANCE_")


class ServiceProcess:
    """One `python -m services.<module>` process, its output kept for failure messages."""

    def __init__(self, name: str, module: str, port: int, env: dict[str, str]) -> None:
        self.name, self.module, self.port, self.env = name, module, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.watched: WatchedProcess | None = None

    async def start(self) -> None:
        self.watched = WatchedProcess(await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.{self.module}", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        ))

    @property
    def running(self) -> bool:
        return self.watched is not None and self.watched.running

    def log(self) -> str:
        return self.watched.log(10_000) if self.watched else ""

    def errors(self) -> list[str]:
        return self.watched.error_lines() if self.watched else []

    async def wait_ready(self, http: aiohttp.ClientSession) -> None:
        async def ready() -> bool:
            if not self.running:
                raise AssertionError(f"{self.name} exited early:\n{self.log()}")
            try:
                async with http.get(self.url + "/ready") as response:
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        try:
            await eventually(ready, STARTUP_TIMEOUT, interval=0.1)
        except AssertionError as exc:
            raise AssertionError(f"{self.name}: {exc}\n{self.log()}") from None

    async def stop(self, signum: int = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        return None if self.watched is None else await self.watched.stop(signum, timeout)


@dataclass
class Cluster:
    edge: ServiceProcess
    vehicles: ServiceProcess
    fuel_logs: list[ServiceProcess]
    fuel_logs_db: str
    http: aiohttp.ClientSession
    users: itertools.count = field(default_factory=itertools.count)

    @property
    def processes(self) -> list[ServiceProcess]:
        return [self.vehicles, *self.fuel_logs, self.edge]

    async def log_in(self) -> "User":
        username = f"scale-{next(self.users)}"
        async with self.http.post(self.edge.url + "/api/auth/login", json={"username": username}) as response:
            assert response.status == 200, await response.text()
            token = (await response.json())["accessToken"]
        return User(self.http, self.edge.url, {"Authorization": f"Bearer {token}"})

    async def fuel_logs_query(self, query: str, *args):
        conn = await asyncpg.connect(self.fuel_logs_db)
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()


class User:
    def __init__(self, http: aiohttp.ClientSession, edge: str, headers: dict[str, str]) -> None:
        self.http, self.edge, self.headers = http, edge, headers

    async def call(self, method: str, path: str, **kwargs) -> tuple[int, object]:
        async with self.http.request(method, self.edge + path, headers=self.headers, **kwargs) as response:
            body = await response.json() if response.content_type == "application/json" else await response.read()
            return response.status, body

    async def json(self, method: str, path: str, expect: int = 200, **kwargs):
        status, body = await self.call(method, path, **kwargs)
        assert status == expect, f"{method} {path}: {status} {body!r}"
        return body

    async def new_vehicle(self, plate: str) -> str:
        vehicle = await self.json("POST", "/api/vehicles", expect=201, json={"licensePlate": plate, "year": 2020})
        return vehicle["id"]


async def counter(http: aiohttp.ClientSession, process: ServiceProcess, name: str, **labels: str) -> float:
    """The sum of a counter's samples (`<name>_total`) with these labels, from the process's /metrics."""
    async with http.get(process.url + "/metrics") as response:
        assert response.status == 200, f"{process.name} /metrics: {response.status}"
        text = await response.text()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name + "_total" and all(sample.labels.get(k) == v for k, v in labels.items())
    )


async def counters(http, processes: list[ServiceProcess], name: str, **labels: str) -> list[float]:
    return [await counter(http, process, name, **labels) for process in processes]


def feature_env(base: dict[str, str], service: str, instance: str, port: int, database_url: str,
                exchange: str, infra, s3_endpoint: str) -> dict[str, str]:
    return {**base, **feature_service_env(
        infra, service, port=port,
        # application_name tells the instances' database sessions apart (pg_stat_activity).
        database_url=f"{database_url}?application_name={instance}",
        exchange=exchange, s3_endpoint=s3_endpoint,
        REDIS_PREFIX=f"{infra.redis_prefix}scale:{service}:",  # shared by a service's instances
        EDGE_CACHE_PREFIX=f"{infra.redis_prefix}scale:edge-cache:",
        RETRY_DELAYS_MS="[100,200]", OUTBOX_POLL_INTERVAL="0.5", OUTBOX_MAX_BACKOFF="1", SHUTDOWN_TIMEOUT="3",
        S3_BUCKET=f"mvt-{infra.run_id}-scale-{service.replace('_', '-')}",
    )}


@pytest.fixture(scope="module")
async def cluster(infra, s3_endpoint, tmp_path_factory):
    base = {key: value for key, value in os.environ.items() if not key.startswith(OWN_PREFIXES)}
    exchange = infra.new_exchange()
    vehicles_db = await infra.create_database("scale_vehicles")
    fuel_logs_db = await infra.create_database("scale_fuel_logs")
    ports = {name: free_port() for name in ("edge", "vehicles", "fuel_logs_a", "fuel_logs_b")}
    vehicles = ServiceProcess("vehicles", "vehicles", ports["vehicles"], feature_env(
        base, "vehicles", "vehicles", ports["vehicles"], vehicles_db, exchange, infra, s3_endpoint))
    fuel_logs = [
        ServiceProcess(name, "fuel_logs", ports[name], feature_env(
            base, "fuel_logs", name, ports[name], fuel_logs_db, exchange, infra, s3_endpoint))
        for name in ("fuel_logs_a", "fuel_logs_b")
    ]
    unused = f"http://127.0.0.1:{free_port()}"  # stations, maintenance, notifications and accounts are not started
    edge = ServiceProcess("edge", "edge", ports["edge"], {**base, **{
        "EDGE_PORT": str(ports["edge"]),
        "EDGE_IDENTITY_SECRET": IDENTITY_SECRET,
        "EDGE_REDIS_URL": REDIS_URL,
        "EDGE_REDIS_PREFIX": f"{infra.redis_prefix}scale:edge:",
        "EDGE_DEV_ISSUER": "true",
        "EDGE_DEV_ISSUER_KEY_FILE": str(tmp_path_factory.mktemp("scale") / "issuer-key.pem"),
        "EDGE_UPSTREAM_VEHICLES": vehicles.url,
        "EDGE_UPSTREAM_FUEL_LOGS": ",".join(instance.url for instance in fuel_logs),
        "EDGE_UPSTREAM_STATIONS": unused,
        "EDGE_UPSTREAM_MAINTENANCE": unused,
        "EDGE_UPSTREAM_NOTIFICATIONS": unused,
        "EDGE_UPSTREAM_ACCOUNTS": unused,
        "EDGE_RATE_LIMIT_DEFAULT": "1000000/minute",
        # Every GET must reach an instance: the counters tell which one served it.
        "EDGE_RESPONSE_CACHE": "false",
        "EDGE_RESPONSE_CACHE_PREFIX": f"{infra.redis_prefix}scale:edge-cache:",
        # A restarted instance gets traffic again soon after an ejection.
        "EDGE_EJECT_SECONDS": "1",
        "EDGE_SHUTDOWN_TIMEOUT": "2",
    }})
    async with aiohttp.ClientSession() as http:
        running = Cluster(edge, vehicles, fuel_logs, fuel_logs_db, http)
        try:
            for process in running.processes:
                await process.start()
            for process in running.processes:
                await process.wait_ready(http)
            yield running
        finally:
            for process in reversed(running.processes):
                await process.stop()


async def restarted(cluster: Cluster, instance: ServiceProcess) -> None:
    """Start a stopped instance again, on its port (the edge's pool names it)."""
    if not instance.running:
        await instance.start()
    await instance.wait_ready(cluster.http)


class Traffic:
    """Clients calling GETs through the edge in a loop until told to stop; every answer kept."""

    def __init__(self, user: User, paths: list[str], clients: int = 4) -> None:
        self.user, self.paths, self.clients = user, paths, clients
        self.answers: list[tuple[str, int]] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(n)) for n in range(self.clients)]

    async def _run(self, n: int) -> None:
        for i in itertools.count(n):
            if self._stop.is_set():
                return
            path = self.paths[i % len(self.paths)]
            status, _ = await self.user.call("GET", path)
            self.answers.append((path, status))

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def at_least(self, count: int) -> None:
        target = len(self.answers) + count

        async def answered() -> bool:
            return len(self.answers) >= target

        await eventually(answered, EVENT_TIMEOUT)

    def failures(self) -> list[tuple[str, int]]:
        return [(path, status) for path, status in self.answers if status != 200]


async def projected(cluster: Cluster, vehicle_ids: list[str]) -> None:
    """Wait until fuel_logs' vehicle projection holds every one of these vehicles."""

    async def all_there() -> bool:
        count = await cluster.fuel_logs_query(
            "SELECT count(*) FROM vehicle_projection WHERE vehicle_id = ANY($1::uuid[])", vehicle_ids)
        return count == len(vehicle_ids)

    await eventually(all_there, EVENT_TIMEOUT, interval=0.1)


async def test_requests_are_spread_over_both_instances(cluster):
    http, instances = cluster.http, cluster.fuel_logs
    user = await cluster.log_in()
    labels = dict(method="GET", route=FUEL_LOGS, status="200")
    before = await counters(http, instances, "http_requests", **labels)
    requests = 40
    for _ in range(requests):
        assert await user.json("GET", FUEL_LOGS) == []
    after = await counters(http, instances, "http_requests", **labels)
    served = [a - b for a, b in zip(after, before)]
    assert all(count > 0 for count in served), served
    assert sum(served) == requests, served


async def test_each_event_is_handled_once_by_one_of_the_instances(cluster):
    http, instances = cluster.http, cluster.fuel_logs
    user = await cluster.log_in()
    created = dict(type="vehicle.created.v1")
    handled_before = await counters(http, instances, "events_consumed", **created, outcome="handled")
    duplicates_before = await counters(http, instances, "events_consumed", outcome="duplicate")
    inbox_before = await cluster.fuel_logs_query("SELECT count(*) FROM inbox WHERE event_type = 'vehicle.created.v1'")

    vehicle_ids = [await user.new_vehicle(f"SCALE-{n}") for n in range(20)]
    await projected(cluster, vehicle_ids)
    handled = [a - b for a, b in zip(await counters(http, instances, "events_consumed", **created, outcome="handled"),
                                     handled_before)]
    assert all(count > 0 for count in handled), handled  # the queue fed both consumers
    assert sum(handled) == len(vehicle_ids), handled
    inbox = await cluster.fuel_logs_query("SELECT count(*) FROM inbox WHERE event_type = 'vehicle.created.v1'")
    assert inbox - inbox_before == len(vehicle_ids)

    # Fill-ups through the edge: both instances write to the one outbox and both relays publish
    # from it; vehicles (downstream) must see every fuel_log.created exactly once.
    published_before = sum(await counters(http, instances, "outbox_published"))
    reading = dict(type="fuel_log.created.v1")
    downstream_before = await counter(http, cluster.vehicles, "events_consumed", **reading, outcome="handled")
    downstream_dup_before = await counter(http, cluster.vehicles, "events_consumed", outcome="duplicate")
    posts_before = await counters(http, instances, "http_requests", method="POST", route=FUEL_LOGS, status="201")
    fill_ups = vehicle_ids[:10]
    for n, vehicle_id in enumerate(fill_ups):
        await user.json("POST", FUEL_LOGS, expect=201, json={
            "vehicleId": vehicle_id, "dateTime": "2026-04-01T08:00:00+00:00", "odometerReading": 1000 + n,
            "fuelUnits": "10", "costPerUnit": "3.5", "isFullFill": True,
        })
    posts = [a - b for a, b in zip(
        await counters(http, instances, "http_requests", method="POST", route=FUEL_LOGS, status="201"), posts_before)]
    assert all(count > 0 for count in posts) and sum(posts) == len(fill_ups), posts

    async def odometers_raised() -> bool:
        for n, vehicle_id in enumerate(fill_ups):
            if (await user.json("GET", f"/api/vehicles/{vehicle_id}"))["odometerReading"] != 1000 + n:
                return False
        return True

    await eventually(odometers_raised, EVENT_TIMEOUT, interval=0.1)

    async def all_published() -> bool:
        return sum(await counters(http, instances, "outbox_published")) - published_before >= len(fill_ups)

    await eventually(all_published, EVENT_TIMEOUT)
    assert sum(await counters(http, instances, "outbox_published")) - published_before == len(fill_ups)
    downstream = await counter(http, cluster.vehicles, "events_consumed", **reading, outcome="handled")
    assert downstream - downstream_before == len(fill_ups)
    assert await counter(http, cluster.vehicles, "events_consumed", outcome="duplicate") == downstream_dup_before
    duplicates = await counters(http, instances, "events_consumed", outcome="duplicate")
    assert duplicates == duplicates_before  # no event reached both instances


async def test_stopping_one_instance_loses_no_retryable_request_and_no_event(cluster):
    http = cluster.http
    survivor, stopping = cluster.fuel_logs
    await restarted(cluster, stopping)
    user = await cluster.log_in()
    vehicle_id = await user.new_vehicle("SCALE-STOP")
    await projected(cluster, [vehicle_id])
    edge_errors_before = await counter(http, cluster.edge, "edge_upstream_requests", route="fuel_logs", outcome="error")
    served_before = await counter(http, stopping, "http_requests", method="GET")
    traffic = Traffic(user, [FUEL_LOGS, f"{FUEL_LOGS}/vehicle/{vehicle_id}", f"{FUEL_LOGS}/vehicle/{vehicle_id}/stats"])
    traffic.start()
    produced: list[str] = []
    producing = asyncio.Event()

    async def produce() -> None:
        # Events keep arriving on the shared queue before, during and after the stop.
        for n in itertools.count():
            if producing.is_set():
                return
            produced.append(await user.new_vehicle(f"SCALE-S{n}"))

    producer = asyncio.create_task(produce())
    try:
        async def both_flowing() -> bool:
            served = await counter(http, stopping, "http_requests", method="GET") - served_before
            return served >= 20 and len(produced) >= 5

        await eventually(both_flowing, EVENT_TIMEOUT)
        returncode = await stopping.stop(signal.SIGTERM)
        assert returncode == 0, stopping.log()
        assert stopping.errors() == []
        produced_before_stop = len(produced)

        async def more_produced() -> bool:
            return len(produced) >= produced_before_stop + 5

        await eventually(more_produced, EVENT_TIMEOUT)
        await traffic.at_least(100)  # the edge now finds one instance gone
    finally:
        producing.set()
        await traffic.stop()
        await producer
    assert traffic.failures() == [], f"{len(traffic.failures())} of {len(traffic.answers)} GETs failed"
    edge_errors = await counter(http, cluster.edge, "edge_upstream_requests", route="fuel_logs", outcome="error")
    assert edge_errors == edge_errors_before
    # Passive health: after failures in a row the edge stopped trying the gone instance at all.
    assert f"Ejected {stopping.url} from pool fuel_logs" in cluster.edge.watched.output.decode(errors="replace")
    await projected(cluster, produced)  # every event, including those the stopped one held


class HeldHandlers:
    """Holds the projection's table lock: every vehicle.created handler on either instance starts,
    records the event in the inbox (uncommitted) and waits, delivered and not acknowledged."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    async def __aenter__(self) -> "HeldHandlers":
        self.blocker = await asyncpg.connect(self.dsn)
        # pg_stat_activity is a snapshot per transaction: the watcher reads it outside the blocker's.
        self.watcher = await asyncpg.connect(self.dsn)
        self.lock = self.blocker.transaction()
        await self.lock.start()
        await self.blocker.execute("LOCK TABLE vehicle_projection IN EXCLUSIVE MODE")
        return self

    async def waiting(self) -> dict[str, int]:
        """Handlers waiting for the lock, by instance (the application_name of its sessions)."""
        rows = await self.watcher.fetch(
            """SELECT application_name, count(*) AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'
               GROUP BY application_name""")
        return {row["application_name"]: row["n"] for row in rows}

    async def release(self) -> None:
        await self.lock.commit()

    async def __aexit__(self, *exc_info) -> None:
        await self.blocker.close()
        await self.watcher.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_events_an_instance_held_when_stopped_go_to_the_survivor(cluster, signum):
    """SIGTERM: the drain gives up on handlers that outlast it; SIGKILL: no drain at all. Either
    way the deliveries the instance never acknowledged return to the queue and reach the other."""
    http = cluster.http
    survivor, stopped = cluster.fuel_logs
    await restarted(cluster, stopped)
    user = await cluster.log_in()
    vehicle_id = await user.new_vehicle(f"SCALE-{signum.name}")
    await projected(cluster, [vehicle_id])
    created = dict(type="vehicle.created.v1")
    handled_before = await counter(http, survivor, "events_consumed", **created, outcome="handled")
    duplicates_before = await counter(http, survivor, "events_consumed", outcome="duplicate")
    served_before = await counter(http, stopped, "http_requests", method="GET")
    traffic = Traffic(user, [FUEL_LOGS, f"{FUEL_LOGS}/vehicle/{vehicle_id}/stats"])
    traffic.start()
    try:
        async with HeldHandlers(cluster.fuel_logs_db) as held:
            vehicle_ids = [await user.new_vehicle(f"SCALE-{signum.name}-{n}") for n in range(8)]

            async def all_in_flight() -> bool:
                in_flight = await held.waiting()
                return sum(in_flight.values()) == len(vehicle_ids) and in_flight.get(stopped.name, 0) > 0

            await eventually(all_in_flight, EVENT_TIMEOUT)

            async def stopped_instance_serves() -> bool:
                return await counter(http, stopped, "http_requests", method="GET") - served_before >= 10

            await eventually(stopped_instance_serves, EVENT_TIMEOUT)
            held_by_stopped = (await held.waiting())[stopped.name]
            returncode = await stopped.stop(signum)
            await traffic.at_least(100)
            await held.release()
    finally:
        await traffic.stop()
    assert returncode == (0 if signum == signal.SIGTERM else -signal.SIGKILL), stopped.log()
    assert stopped.errors() == []
    assert traffic.failures() == [], f"{len(traffic.failures())} of {len(traffic.answers)} GETs failed"
    await projected(cluster, vehicle_ids)
    handled = await counter(http, survivor, "events_consumed", **created, outcome="handled") - handled_before
    # The survivor handled them all: its own and the ones the stopped instance never acknowledged.
    assert handled == len(vehicle_ids), (handled, held_by_stopped)
    # The stopped instance's transactions were rolled back, so none of them counts as seen before.
    assert await counter(http, survivor, "events_consumed", outcome="duplicate") == duplicates_before
