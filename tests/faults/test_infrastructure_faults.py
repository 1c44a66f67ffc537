"""The whole suite (honcho, deploy/Procfile) on a PostgreSQL cluster and a Redis server of this
test's own, with the machine's RabbitMQ reached through a TCP proxy, under a steady load of writers
and readers through the edge while each server in turn goes away for a few seconds and comes back:
PostgreSQL (`pg_ctl stop -m fast`, then start), Redis (stopped, restarted empty on the same port),
the broker (the proxy cut, then restored). The machine's own servers are never touched.

For each outage: every answer is 2xx or a 503 in the error shape (the database's with
Retry-After); afterwards every acknowledged write is readable, no refused write left anything
behind, the events of acknowledged writes arrive (the odometer they raise ends exactly at the
highest acknowledged reading) and later events still flow from every service, each kind of write
succeeds again within 2 s of the server being back, and no service process was restarted.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.parse import urlsplit

import aio_pika
import aiohttp
import pytest

from shared.events.topology import dead_queue_name, work_queue_name
from shared.testing.database import in_transaction
from shared.testing.infra import AMQP_URL
from shared.testing.private_servers import PG_BIN, PrivatePostgres, PrivateRedis
from shared.testing.standin import StandIn
from shared.testing.tcp_proxy import TcpProxy
from shared.testing.waiting import eventually
from tests.faults.load import WRITE_PATHS, Answer, Driver, Load
from tests.suite import CASCADE_TIMEOUT, SERVICES, Backends, Suite, log_in, retry_until_created, running_suite

# About a minute in all: the suite's start, three outages of a few seconds, the checks.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason=f"no PostgreSQL binaries in {PG_BIN}"),
]

LOAD_BEFORE = 1.5  # seconds of load before the server goes away
OUTAGE = 3.0  # seconds the server stays away
LOAD_AFTER = 3.0  # seconds of load after it is back (more than RECOVERY)
RECOVERY = 2.0  # every kind of write succeeds again within this long after the server is back
INITIAL_ODOMETER = 1000


@pytest.fixture(scope="module")
async def private_postgres():
    server = PrivatePostgres()
    try:
        yield await server.create()
    finally:
        await server.remove()


@pytest.fixture(scope="module")
async def private_redis():
    server = PrivateRedis()
    try:
        yield await server.start()
    finally:
        await server.remove()


@pytest.fixture(scope="module")
async def broker_proxy():
    target = urlsplit(AMQP_URL)
    proxy = TcpProxy(target.hostname, target.port or 5672)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture(scope="module")
async def suite(infra, tmp_path_factory, private_postgres, private_redis, broker_proxy):
    # vPIC and Places are never called here; stand-ins answering 404 keep the settings valid.
    third_parties = (await StandIn({}).start(), await StandIn({}).start())
    amqp = urlsplit(AMQP_URL)
    backends = Backends(
        pg_url=private_postgres.url,
        redis_url=private_redis.url,
        amqp_url=amqp._replace(netloc=f"{amqp.username}:{amqp.password}@127.0.0.1:{broker_proxy.port}").geturl(),
    )
    # The load is a few tasks of two users for a minute: keep the edge's per-user limit out of it.
    extra_env = {"EDGE_RATE_LIMIT_DEFAULT": "100000/minute"}
    try:
        async with running_suite(infra, third_parties, tmp_path_factory.mktemp("faults"), name="faults",
                                 extra_env=extra_env, backends=backends) as running:
            yield running
    finally:
        for stand_in in third_parties:
            await stand_in.stop()


@pytest.fixture(scope="module")
async def http():
    # A request that hangs is a failure to report, not a reason to stall the run.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture(scope="module")
async def drivers(suite, http) -> list[Driver]:
    """Two users, each with a vehicle that fuel_logs and maintenance already learned of."""
    made = []
    for name in ("alice", "bob"):
        user = await log_in(http, suite.edge, name)
        vehicle = await user.json("POST", "/api/vehicles", expect=201, json={
            "licensePlate": f"{name}-car", "nickname": f"{name}'s car", "odometerReading": INITIAL_ODOMETER})
        await retry_until_created(user, "/api/fuel-logs", {
            "vehicleId": vehicle["id"], "dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": INITIAL_ODOMETER,
            "fuelUnits": "5", "costPerUnit": "3.5"})
        await retry_until_created(user, "/api/maintenance/records", {
            "vehicleId": vehicle["id"], "category": "routine_maintenance", "subtypes": ["Engine Oil"],
            "date": "2026-05-01", "odometerReading": INITIAL_ODOMETER})
        made.append(Driver(name, user, vehicle["id"], odometer=INITIAL_ODOMETER))
    return made


@pytest.fixture(scope="module")
def started_pids(suite, drivers) -> dict[str, list[int]]:
    pids = suite.started_pids()
    assert sorted(pids) == sorted(("s3", "edge", *SERVICES)), suite.log()
    assert all(len(each) == 1 for each in pids.values()), pids
    return pids


@dataclass
class Outage:
    load_started: float
    server_down: float
    server_back: float
    answers: list[Answer]


async def run_outage(suite: Suite, http: aiohttp.ClientSession, drivers: list[Driver], dependency: str,
                     stop_server: Callable[[], Awaitable[None]],
                     start_server: Callable[[], Awaitable[None]]) -> Outage:
    """Load, stop the server, check the services noticed, start it again, load on; every answer.
    `dependency` is the server's name in the services' /ready checks."""
    dependents = await services_checking(suite, http, dependency)
    assert dependents, f"no service checks {dependency!r} in /ready"
    load = Load(drivers)
    load_started = time.monotonic()
    load.start()
    try:
        await asyncio.sleep(LOAD_BEFORE)
        server_down = time.monotonic()
        await stop_server()
        try:
            await none_ready(suite, http, dependents)  # the outage is real, not a no-op
            await asyncio.sleep(max(0.0, server_down + OUTAGE - time.monotonic()))
        finally:
            await start_server()
        server_back = time.monotonic()
        await asyncio.sleep(LOAD_AFTER)
    finally:
        await load.stop()
    return Outage(load_started, server_down, server_back, load.answers(since=load_started))


def ready_url(suite: Suite, service: str) -> str:
    return f"http://127.0.0.1:{suite.ports[service]}/ready"


async def services_checking(suite: Suite, http: aiohttp.ClientSession, dependency: str) -> list[str]:
    """The services whose readiness includes `dependency` ("database", "redis", "broker")."""
    dependents = []
    for service in SERVICES:
        async with http.get(ready_url(suite, service)) as response:
            assert response.status == 200, f"{service} not ready before the outage: {await response.text()}"
            if dependency in (await response.json())["checks"]:
                dependents.append(service)
    return dependents


async def none_ready(suite: Suite, http: aiohttp.ClientSession, services: list[str]) -> None:
    async def all_refuse() -> bool:
        for service in services:
            async with http.get(ready_url(suite, service)) as response:
                if response.status != 503:
                    return False
        return True

    await eventually(all_refuse, OUTAGE, interval=0.1)


# --- what every outage must leave true ------------------------------------------------------------

def in_error_shape(answer: Answer, status: int) -> bool:
    body = answer.body
    return (isinstance(body, dict) and body.get("statusCode") == status
            and all(isinstance(body.get(key), str) and body[key] for key in ("error", "message", "requestId")))


def assert_only_2xx_or_503(outage: Outage, retry_after: bool) -> None:
    wrong = [a for a in outage.answers if not (a.acknowledged or (a.status == 503 and in_error_shape(a, 503)
                                                                  and (a.retry_after or not retry_after)))]
    assert not wrong, f"{len(wrong)} of {len(outage.answers)} answers neither 2xx nor a proper 503:\n" + \
        "\n".join(f"{a} Retry-After={a.retry_after}" for a in wrong[:10])


def assert_writes_recovered(outage: Outage) -> None:
    for kind in WRITE_PATHS:
        done = [a.ended for a in outage.answers if a.kind == kind and a.acknowledged and a.ended >= outage.server_back]
        first = min(done, default=float("inf")) - outage.server_back
        assert first <= RECOVERY, f"no {kind} write succeeded within {RECOVERY} s of the server being back " \
                                  f"(first after {first:.2f} s)"


def written_id_path(answer: Answer) -> str:
    return f"{WRITE_PATHS[answer.kind]}/{answer.body['id']}"


def marker_of(kind: str, item: dict) -> str | None:
    return item.get("nickname") if kind == "vehicle" else item.get("notes")


async def assert_acknowledged_readable_and_refused_absent(driver: Driver, outage: Outage) -> None:
    writes = [a for a in driver.writes() if a.started >= outage.load_started]
    for answer in [a for a in writes if a.acknowledged]:
        status, item = await driver.user.call("GET", written_id_path(answer))
        assert status == 200 and marker_of(answer.kind, item) == answer.marker, \
            f"acknowledged {answer} reads as {status} {item!r}"
    listed = {
        "vehicle": await driver.user.json("GET", "/api/vehicles"),
        "fill-up": await driver.user.json("GET", f"/api/fuel-logs/vehicle/{driver.vehicle_id}"),
        "record": await driver.user.json("GET", f"/api/maintenance/records/vehicle/{driver.vehicle_id}"),
    }
    markers = {kind: {marker_of(kind, item) for item in items} for kind, items in listed.items()}
    missing = [str(a) for a in writes if a.acknowledged and a.marker not in markers[a.kind]]
    assert not missing, f"acknowledged writes missing from the lists: {missing[:10]}"
    half_written = [str(a) for a in writes if not a.acknowledged and a.marker in markers[a.kind]]
    assert not half_written, f"refused writes that left a row: {half_written[:10]}"


# After an outage every service reconnects (its backoff reaches 5 s), its relay retries what it
# could not publish (a row's backoff reaches 10 s) and catches up on what queued meanwhile; on a
# loaded CI host that took longer than the cascade's usual 20 s once or twice, for the odometer
# and for a vehicle created during the outage. A bound on liveness, not on speed: a lost event
# still fails it, and the failure says where the event stopped.
SETTLE_TIMEOUT = max(CASCADE_TIMEOUT, 45.0)

async def assert_events_of_acknowledged_writes_arrived(suite: Suite, driver: Driver) -> None:
    """fuel_log.created and maintenance.record_created raise the vehicle's odometer: it ends at the
    highest acknowledged reading, not below (a lost event) and not above (a refused write's event)."""
    expected = driver.highest_acknowledged_odometer(INITIAL_ODOMETER)
    seen: list[int] = []

    async def odometer_settled() -> bool:
        seen.append((await driver.user.json("GET", f"/api/vehicles/{driver.vehicle_id}"))["odometerReading"])
        return seen[-1] == expected

    try:
        await eventually(odometer_settled, SETTLE_TIMEOUT, interval=0.2)
    except AssertionError:
        raise AssertionError(f"{driver.name}'s odometer reads {seen[-1]}, the highest acknowledged reading is "
                             f"{expected}; {await where_the_odometer_stands(suite, driver)}") from None


async def assert_events_flow_again(suite: Suite, driver: Driver, outage: Outage) -> None:
    """Every service that emits still publishes after the outage (a relay that died would lose
    every later event): a new fill-up and a new record each raise the odometer, and fuel_logs
    learns of the last vehicle created during the load (vehicle.created)."""
    for kind in ("fill-up", "record"):
        driver.odometer += 10
        marker = f"{driver.name}-after-{kind}"
        answer = await driver.send(kind, "POST", WRITE_PATHS[kind], driver.write_body(kind, marker, driver.odometer),
                                   marker, driver.odometer)
        assert answer.acknowledged, f"after the outage: {answer}"
        await assert_events_of_acknowledged_writes_arrived(suite, driver)
    created = [a for a in driver.writes() if a.kind == "vehicle" and a.acknowledged and a.started >= outage.load_started]
    try:
        await retry_until_created(driver.user, "/api/fuel-logs", {
            "vehicleId": created[-1].body["id"], "dateTime": "2026-06-01T08:00:00+00:00", "odometerReading": 10,
            "fuelUnits": "5", "costPerUnit": "3.5"}, timeout=SETTLE_TIMEOUT)
    except AssertionError as exc:
        raise AssertionError(f"fuel_logs never learned of {driver.name}'s vehicle {created[-1].body['id']} "
                             f"({exc}); {await where_the_vehicle_stands(suite, created[-1].body['id'])}") from None


async def where_the_vehicle_stands(suite: Suite, vehicle_id: str) -> str:
    """For a failure message: whether vehicle.created left vehicles' outbox, reached fuel_logs'
    queues or its projection."""
    outbox = await in_transaction(suite.env["VEHICLES_DATABASE_URL"], lambda conn: conn.fetch(
        "SELECT routing_key, attempts, next_attempt_at, last_error FROM outbox"))
    projected = await in_transaction(suite.env["FUEL_LOGS_DATABASE_URL"], lambda conn: conn.fetchrow(
        "SELECT * FROM vehicle_projection WHERE vehicle_id = $1", uuid.UUID(vehicle_id)))
    inbox = await in_transaction(suite.env["FUEL_LOGS_DATABASE_URL"], lambda conn: conn.fetch(
        "SELECT event_type, count(*) FROM inbox GROUP BY event_type"))
    queued = await queue_depths(suite.env["FUEL_LOGS_EVENTS_EXCHANGE"], "fuel_logs")
    warnings = [line for line in suite.log(len(suite.watched.output)).splitlines()
                if '"level":"WARNING"' in line or '"level":"ERROR"' in line]
    return (f"vehicles' outbox holds {[dict(row) for row in outbox]}; fuel_logs' projection: "
            f"{dict(projected) if projected else None}; its inbox by type: {[tuple(row) for row in inbox]}; "
            f"in its queues: {queued}; the suite's last warnings and errors:\n" + "\n".join(warnings[-60:]))


async def where_the_odometer_stands(suite: Suite, driver: Driver) -> str:
    """For a failure message: the vehicles database, an uncached read, what waits in the outboxes
    of the services that raise it, and what the suite warned about."""
    stored = await in_transaction(suite.env["VEHICLES_DATABASE_URL"], lambda conn: conn.fetchval(
        "SELECT odometer_reading FROM vehicles WHERE id = $1", uuid.UUID(driver.vehicle_id)))
    async with driver.user.http.get(f"{suite.edge}/api/vehicles/{driver.vehicle_id}",
                                    headers={**driver.user.headers, "Cache-Control": "no-cache"}) as response:
        uncached = (await response.json())["odometerReading"]
    waiting = {}
    for service in ("fuel_logs", "maintenance"):
        rows = await in_transaction(suite.env[f"{service.upper()}_DATABASE_URL"], lambda conn: conn.fetch(
            "SELECT routing_key, attempts, last_error FROM outbox"))
        waiting[service] = [dict(row) for row in rows]
    # Published but not consumed: what waits in vehicles' queues (a consumer that did not resume).
    queued = await queue_depths(suite.env["VEHICLES_EVENTS_EXCHANGE"], "vehicles")
    inbox = await in_transaction(suite.env["VEHICLES_DATABASE_URL"], lambda conn: conn.fetchval(
        "SELECT count(*) FROM inbox"))
    warnings = [line for line in suite.log(len(suite.watched.output)).splitlines()
                if '"level":"WARNING"' in line or '"level":"ERROR"' in line]
    return (f"the vehicles database holds {stored}, an uncached read gives {uncached}; still in the outboxes: "
            f"{waiting}; in vehicles' queues: {queued}, its inbox holds {inbox} events; the suite's last "
            f"warnings and errors:\n" + "\n".join(warnings[-40:]))


async def queue_depths(exchange: str, service: str) -> dict[str, int | str]:
    """Messages ready in the service's work, retry and dead queues (a passive declare reads them)."""
    depths: dict[str, int | str] = {}
    connection = await aio_pika.connect(AMQP_URL, timeout=10)
    try:
        names = [work_queue_name(exchange, service), dead_queue_name(exchange, service)]
        for name in names:
            channel = await connection.channel()
            try:
                declared = await channel.declare_queue(name, passive=True)
                depths[name] = declared.declaration_result.message_count
            except Exception as exc:  # a diagnostic: say what could not be read
                depths[name] = f"unreadable: {type(exc).__name__}"
    finally:
        await asyncio.gather(asyncio.wait_for(connection.close(), 10), return_exceptions=True)
    return depths


def assert_no_process_restarted(suite: Suite, started_pids: dict[str, list[int]]) -> None:
    assert suite.watched.running, f"honcho exited:\n{suite.log()}"
    assert suite.started_pids() == started_pids, suite.log()
    for name, [pid] in started_pids.items():
        os.kill(pid, 0)  # raises ProcessLookupError if it is gone
    output = suite.log(len(suite.watched.output))
    # No process stopped, no request met an unexpected error, no event was given up on.
    for sign in ("stopped (rc=", "Unhandled error", "Dead-lettering"):
        assert sign not in output, f"{sign!r} in the suite's output:\n{output[-20_000:]}"


async def assert_outage_survived(outage: Outage, suite: Suite, drivers: list[Driver],
                                 started_pids: dict[str, list[int]], retry_after: bool) -> None:
    assert_only_2xx_or_503(outage, retry_after)
    assert_writes_recovered(outage)
    for driver in drivers:
        await assert_acknowledged_readable_and_refused_absent(driver, outage)
        await assert_events_of_acknowledged_writes_arrived(suite, driver)
        await assert_events_flow_again(suite, driver, outage)
    assert_no_process_restarted(suite, started_pids)


def summary(outage: Outage) -> str:
    statuses: dict[int, int] = {}
    for answer in outage.answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    return f"{len(outage.answers)} answers by status: {dict(sorted(statuses.items()))}"


# --- the outages ------------------------------------------------------------------------------------

async def test_a_database_restart(suite, http, drivers, started_pids, private_postgres):
    outage = await run_outage(suite, http, drivers, "database", private_postgres.stop, private_postgres.start)
    print("PostgreSQL:", summary(outage))
    refused = [a for a in outage.answers if a.status == 503]
    assert refused, "no request met the database's absence: the outage tested nothing"
    await assert_outage_survived(outage, suite, drivers, started_pids, retry_after=True)


async def test_a_redis_restart(suite, http, drivers, started_pids, private_redis):
    outage = await run_outage(suite, http, drivers, "redis", private_redis.stop, private_redis.start)
    print("Redis:", summary(outage))
    await assert_outage_survived(outage, suite, drivers, started_pids, retry_after=False)


async def test_a_broker_outage(suite, http, drivers, started_pids, broker_proxy):
    outage = await run_outage(suite, http, drivers, "broker", broker_proxy.cut, broker_proxy.start)
    print("RabbitMQ:", summary(outage))
    await assert_outage_survived(outage, suite, drivers, started_pids, retry_after=False)
