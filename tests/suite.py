"""The whole suite as real processes, started the way `scripts/dev` starts it (honcho with
deploy/Procfile), for the tests that drive it from outside: tests/e2e (HTTP), tests/browser
(the web app in Chromium) and tests/faults (infrastructure outages under load).

The environment file is deploy/local.env with this session's isolation applied (free ports, fresh
databases, the session's Redis prefix and exchange, moto's S3 server on a free port), so the tests
check the real local configuration rather than a parallel one. Third-party APIs (vPIC, Google
Places) are local stand-ins answering recorded bodies. Where PostgreSQL, Redis and RabbitMQ are is
a parameter (`Backends`): the fault test points the suite at private servers it may stop.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Callable
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from shared.testing.infra import AMQP_URL, PG_URL, REDIS_URL, free_port
from shared.testing.processes import WatchedProcess
from shared.testing.standin import Reply, StandIn
from shared.testing.waiting import eventually

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "e2e" / "fixtures"
PROCFILE = ROOT / "deploy" / "Procfile"
LOCAL_ENV = ROOT / "deploy" / "local.env"
VENV_BIN = Path(sys.executable).parent

SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts")
IDENTITY_SECRET = "e2e-identity-secret-0123456789abcdefghij"
S3_KEYS = ("e2e", "e2e-secret")
PLACES_KEY = "e2e-places-key"

VIN = "3VV3B7AXXNM077525"  # the recorded vPIC answer: a 2022 Volkswagen Tiguan SE
DECODE_ROUTE = "/api/vehicles/DecodeVinValues/{vin}"
SEARCH_ROUTE = "/v1/places:searchNearby"
TEXT_SEARCH_ROUTE = "/v1/places:searchText"  # answers places in the same shape as searchNearby
# Near the two places of the recorded searchNearby answer (London); Treats is the nearer one.
NEAR_TREATS = {"latitude": 51.5076, "longitude": -0.1232}
TREATS = "ChIJZf2Jlc4EdkgRPLwdn9LZgwY"
BIG_CHILL = "ChIJIV_fiKsFdkgR7r3H5JTovw4"

STARTUP_TIMEOUT = 60.0
CASCADE_TIMEOUT = 20.0
# honcho announces every process it starts: "12:00:00 system | vehicles.1 started (pid=1234)".
_STARTED = re.compile(r"\b([a-z0-9_]+)\.1 started \(pid=(\d+)\)")


@dataclass(frozen=True)
class Backends:
    """Where the suite finds PostgreSQL (the server's URL; each service gets its own database on
    it), Redis and RabbitMQ. The defaults are the machine's shared servers."""

    pg_url: str = PG_URL
    redis_url: str = REDIS_URL
    amqp_url: str = AMQP_URL

    def database_url(self, name: str) -> str:
        return urlunsplit(urlsplit(self.pg_url)._replace(path=f"/{name}"))

    @property
    def shared_postgres(self) -> bool:
        """The machine's server: the session drops the suite's databases at its end."""
        return self.pg_url == PG_URL


def read_env_lines(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def isolated_env(infra, tmp_path: Path, vpic_url: str, places_url: str,
                 name: str = "e2e", backends: Backends = Backends()) -> tuple[dict[str, str], dict[str, int]]:
    """deploy/local.env with this session's isolation: every value a local run uses, re-pointed.

    `name` keeps two suites of one session apart (databases, Redis keys, buckets): e.g. a VIN
    decode cached by one must not answer the other's, which counts its calls to vPIC."""
    env = read_env_lines(LOCAL_ENV)
    ports = {name: free_port() for name in ("edge", "s3", *SERVICES)}
    s3_url = f"http://127.0.0.1:{ports['s3']}"
    exchange = infra.new_exchange()
    env["MOTOVAULT_S3_PORT"] = str(ports["s3"])
    env.update(
        EDGE_PORT=str(ports["edge"]),
        EDGE_IDENTITY_SECRET=IDENTITY_SECRET,
        EDGE_REDIS_URL=backends.redis_url,
        EDGE_REDIS_PREFIX=f"{infra.redis_prefix}{name}:edge:",
        EDGE_RESPONSE_CACHE_PREFIX=f"{infra.redis_prefix}{name}:edge-cache:",
        EDGE_DEV_ISSUER_KEY_FILE=str(tmp_path / "issuer-key.pem"),
        EDGE_SHUTDOWN_TIMEOUT="2",
        # The web app's Content-Security-Policy lets it load images from, and upload to, S3.
        EDGE_WEB_STORAGE_URL=s3_url,
    )
    if "EDGE_DATABASE_URL" in env:  # the edge's own database (personal access tokens)
        edge_db = f"mvt_{infra.run_id}_{name}_edge"
        env.update(EDGE_DATABASE_URL=backends.database_url(edge_db), EDGE_CREATE_DATABASE="true")
        if backends.shared_postgres:
            infra.databases.append(edge_db)  # created by the edge itself
    for service in SERVICES:
        prefix = service.upper() + "_"
        env[f"EDGE_UPSTREAM_{service.upper()}"] = f"http://127.0.0.1:{ports[service]}"
        db_name = f"mvt_{infra.run_id}_{name}_{service}"
        if backends.shared_postgres:
            infra.databases.append(db_name)  # created by the service itself (CREATE_DATABASE=true)
        values = {
            "PORT": str(ports[service]),
            "IDENTITY_SECRET": IDENTITY_SECRET,
            "DATABASE_URL": backends.database_url(db_name),
            "CREATE_DATABASE": "true",
            "REDIS_URL": backends.redis_url,
            "REDIS_PREFIX": f"{infra.redis_prefix}{name}:{service}:",
            "EDGE_CACHE_PREFIX": f"{infra.redis_prefix}{name}:edge-cache:",
            "AMQP_URL": backends.amqp_url,
            "EVENTS_EXCHANGE": exchange,
            "RETRY_DELAYS_MS": "[100,200]",
            "OUTBOX_POLL_INTERVAL": "0.5",
            "OUTBOX_MAX_BACKOFF": "1",
            "SHUTDOWN_TIMEOUT": "2",
        }
        if f"{prefix}S3_BUCKET" in env:
            values.update(S3_ENDPOINT_URL=s3_url, S3_ACCESS_KEY=S3_KEYS[0], S3_SECRET_KEY=S3_KEYS[1],
                          S3_BUCKET=f"mvt-{infra.run_id}-{name}-{service.replace('_', '-')}")
        env.update({prefix + key: value for key, value in values.items()})
    env.update(
        VEHICLES_VPIC_BASE_URL=f"{vpic_url}/api",
        STATIONS_PLACES_BASE_URL=places_url,
        STATIONS_PLACES_API_KEY=PLACES_KEY,
        NOTIFICATIONS_PUBLIC_BASE_URL=f"http://127.0.0.1:{ports['edge']}",
        NOTIFICATIONS_SMTP_PORT=str(free_port()),  # no mail relay in this run
    )
    leftovers = [key for key, value in env.items()
                 if "127.0.0.1:90" in value or ":808" in value or "/motovault_" in value]
    assert not leftovers, f"values of deploy/local.env not re-pointed: {leftovers}"
    return env, ports


class Suite:
    """The honcho process running deploy/Procfile, and how to reach what it started.

    Services named `separately` run outside honcho, as processes of their own that a test may
    stop and start again (honcho stops everything when one of its processes ends)."""

    def __init__(self, process: asyncio.subprocess.Process, env: dict[str, str], ports: dict[str, int],
                 process_env: dict[str, str] | None = None) -> None:
        self.process = process
        self.env = env
        self.ports = ports
        self.edge = f"http://127.0.0.1:{ports['edge']}"
        self.s3 = f"http://127.0.0.1:{ports['s3']}"
        self.watched = WatchedProcess(process)
        self._process_env = {**(process_env or {}), **env}
        self.separate: dict[str, WatchedProcess] = {}

    async def start_service(self, name: str) -> None:
        """Start a separately run service (`python -m services.<name>`, the Procfile's command)."""
        assert name not in self.separate or not self.separate[name].running, f"{name} is running"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.{name}", cwd=ROOT, env=self._process_env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        self.separate[name] = WatchedProcess(process)

    async def stop_service(self, name: str) -> None:
        """Stop a separately run service as an orchestrator would (SIGTERM: it drains and exits 0)."""
        code = await self.separate[name].stop()
        assert code == 0, f"{name} exited with {code}:\n{self.separate[name].log()}"

    async def wait_service_ready(self, http: aiohttp.ClientSession, name: str) -> None:
        url = f"http://127.0.0.1:{self.ports[name]}/ready"

        async def ready() -> bool:
            process = self.separate.get(name)
            if process is not None and not process.running:
                raise AssertionError(f"{name} exited early:\n{process.log()}")
            try:
                async with http.get(url) as response:
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        await eventually(ready, STARTUP_TIMEOUT, interval=0.25)

    def log(self, last_chars: int = 20_000) -> str:
        return self.watched.log(last_chars)

    def started_pids(self) -> dict[str, list[int]]:
        """Every process honcho started, by Procfile name, in start order (a restart adds one)."""
        started: dict[str, list[int]] = {}
        for name, pid in _STARTED.findall(self.watched.output.decode(errors="replace")):
            started.setdefault(name, []).append(int(pid))
        return started

    async def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        for process in self.separate.values():
            await process.stop(signum, timeout)
        return await self.watched.stop(signum, timeout)

    async def wait_ready(self, http: aiohttp.ClientSession) -> None:
        """Every service's /ready (its queue is consumed) and the edge's /api/health."""
        urls = [f"http://127.0.0.1:{self.ports[name]}/ready" for name in SERVICES] + [self.edge + "/api/health"]

        async def all_ready() -> bool:
            if self.process.returncode is not None:
                raise AssertionError(f"honcho exited early ({self.process.returncode}):\n{self.log()}")
            for url in urls:
                try:
                    async with http.get(url) as response:
                        if response.status != 200:
                            return False
                except aiohttp.ClientError:
                    return False
            return True

        try:
            await eventually(all_ready, STARTUP_TIMEOUT, interval=0.25)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- suite output ---\n{self.log()}") from None


@asynccontextmanager
async def running_stand_ins() -> AsyncIterator[tuple[StandIn, StandIn]]:
    """vPIC and Google Places, answering the recorded bodies in tests/e2e/fixtures."""
    vpic = await StandIn({DECODE_ROUTE: Reply.fixture(FIXTURES / "decode_vin_values_3VV3B7AXXNM077525.json")}).start()
    recorded_places = Reply.fixture(FIXTURES / "search_nearby_new_assembled.json")
    places = await StandIn({SEARCH_ROUTE: recorded_places, TEXT_SEARCH_ROUTE: recorded_places}).start()
    try:
        yield vpic, places
    finally:
        await vpic.stop()
        await places.stop()


@asynccontextmanager
async def running_suite(infra, stand_ins: tuple[StandIn, StandIn], tmp_path: Path, *, name: str = "e2e",
                        extra_env: dict[str, str] | Callable[[dict[str, int]], dict[str, str]] | None = None,
                        backends: Backends = Backends(),
                        separately: tuple[str, ...] = ()) -> AsyncIterator[Suite]:
    """honcho running deploy/Procfile with the isolated environment (plus `extra_env`, or what
    `extra_env(ports)` gives where a value needs a port, e.g. the edge's own URL), once every part
    is ready; the services named in `separately` run beside it (Suite.stop_service)."""
    vpic, places = stand_ins
    env, ports = isolated_env(infra, tmp_path, vpic.url, places.url, name, backends)
    env.update((extra_env(ports) if callable(extra_env) else extra_env) or {})
    env_file = tmp_path / "suite.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    # As scripts/dev: the venv's executables first on PATH (moto_server, honcho), and `python` (the
    # Procfile's) is the interpreter running these tests, even where only `python3` exists.
    own_bin = tmp_path / "bin"
    own_bin.mkdir()
    # A wrapper, not a symlink: a venv's python finds its pyvenv.cfg by the path it was started as.
    (own_bin / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (own_bin / "python").chmod(0o755)
    path = os.pathsep.join([str(own_bin), str(VENV_BIN), os.environ.get("PATH", "")])
    process_env = {**os.environ, "PATH": path}
    honcho = shutil.which("honcho", path=path)
    assert honcho and shutil.which("moto_server", path=path), "install the dev extra (honcho, moto[server])"
    prefixes = {"EDGE", "VEHICLES", "FUEL", "STATIONS", "MAINTENANCE", "NOTIFICATIONS", "ACCOUNTS"}
    for key in [key for key in process_env if key.split("_", 1)[0] in prefixes]:
        del process_env[key]
    procfile = PROCFILE
    if separately:
        procfile = tmp_path / "Procfile"
        procfile.write_text("".join(line + "\n" for line in PROCFILE.read_text().splitlines()
                                    if line.split(":", 1)[0] not in separately))
    process = await asyncio.create_subprocess_exec(
        honcho, "-f", str(procfile), "-d", str(ROOT), "-e", str(env_file), "start",
        cwd=ROOT, env=process_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    running = Suite(process, env, ports, process_env)
    try:
        for service in separately:
            await running.start_service(service)
        async with aiohttp.ClientSession() as http:
            await running.wait_ready(http)
        yield running
    finally:
        await running.stop()


class User:
    """A user of the edge: a dev-issuer token and JSON calls with it."""

    def __init__(self, http: aiohttp.ClientSession, edge: str, token: str) -> None:
        self.http, self.edge, self.headers = http, edge, {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, expect: int | None = None, **kwargs):
        async with self.http.request(method, self.edge + path, headers=self.headers, **kwargs) as response:
            body = await response.read()
            if expect is not None:
                assert response.status == expect, f"{method} {path}: {response.status} {body[:500]!r}"
            return response.status, (json.loads(body) if body and response.content_type == "application/json" else body)

    async def json(self, method: str, path: str, expect: int = 200, **kwargs):
        return (await self.call(method, path, expect, **kwargs))[1]


async def log_in(http: aiohttp.ClientSession, edge: str, username: str) -> User:
    async with http.post(edge + "/api/auth/login", json={"username": username}) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["accessToken"]
    user = User(http, edge, token)
    assert (await user.json("GET", "/api/auth/me"))["userId"] == f"dev|{username}"
    return user


async def retry_until_created(user: User, path: str, body: dict, timeout: float = CASCADE_TIMEOUT) -> dict:
    """A feature service learns of a new vehicle by event: until then the vehicle is unknown (404)."""
    created: dict = {}

    async def accepted() -> bool:
        status, answer = await user.call("POST", path, json=body)
        assert status in (201, 404), f"POST {path}: {status} {answer!r}"
        created.update(answer if status == 201 else {})
        return status == 201

    await eventually(accepted, timeout, interval=0.1)
    return created
