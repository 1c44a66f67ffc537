"""Resident memory (VmRSS) of each service process, and what each dependency costs at import.

    .venv/bin/python bench/memory.py                      # imports, then the six processes
    .venv/bin/python bench/memory.py --no-imports --requests 400
    .venv/bin/python bench/memory.py --no-processes       # import costs only
    .venv/bin/python bench/memory.py --env MALLOC_ARENA_MAX=2

A benchmark tool, not a test. Processes: the six services start as `python -m services.<name>`
(as tests/test_processes.py starts them) on an isolated slice of the machine's PostgreSQL, Redis and
RabbitMQ (databases `mvt_bench_mem_<run>_<service>`, Redis prefix `mvt:bench_mem_<run>:`, an own
exchange) with moto's S3 server on a free port; all of it is removed at the end. VmRSS is read from
/proc/<pid>/status at three moments: idle after /ready; after --requests requests per service,
--concurrency at a time (sent directly with an identity assertion; the edge's through the edge with a
dev-issuer token), none touching storage; and after vehicles and fuel_logs used storage (uploads
started, which load boto3, then --requests image downloads that each ask storage in a worker thread).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.identity import ASSERTION_HEADER, IdentitySigner  # noqa: E402
from shared.testing.environment import feature_service_env, prefixed  # noqa: E402
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL, TestInfra, database_url, free_port  # noqa: E402

FEATURE_SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts")
SERVICES = (*FEATURE_SERVICES, "edge")
# Top-level dependencies, in the order a service imports them; the last rows are the service apps.
DEPENDENCIES = (
    "asyncio", "aiohttp.web", "pydantic", "pydantic_settings", "orjson", "uvloop", "asyncpg",
    "redis.asyncio", "aio_pika", "prometheus_client", "joserfc.jwt", "cryptography.x509",
    "botocore.session", "boto3",
)
APPS = tuple(f"services.{name}.app" for name in SERVICES)
FILL = {"dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1000, "fuelUnits": 10, "costPerUnit": 3.5}
RSS_PROBE = "import sys\nfor m in sys.argv[1:]: __import__(m)\n" \
    "print(*[l.split()[1] for l in open('/proc/self/status') if l.startswith(('VmRSS', 'RssAnon', 'RssFile'))])"


def rss_kb(pid: int) -> dict[str, int]:
    """VmRSS and its parts, plus PSS and USS: shared library pages counted once across processes."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    sizes = {key: int(fields[key].split()[0]) for key in ("VmRSS", "RssAnon", "RssFile")}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        rolled = {line.split(":")[0]: int(line.split()[1]) for line in rollup if line.endswith("kB\n")}
    sizes["Pss"] = rolled["Pss"]
    sizes["Uss"] = rolled["Private_Clean"] + rolled["Private_Dirty"]
    return sizes


def import_rss(*modules: str, env: dict[str, str]) -> tuple[int, int, int]:
    """(VmRSS, RssAnon, RssFile) in kB of a fresh interpreter once it imported the modules."""
    out = subprocess.run([sys.executable, "-c", RSS_PROBE, *modules], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def imports_report(env: dict[str, str]) -> None:
    mb = lambda kb: kb / 1024  # noqa: E731
    bare = import_rss(env=env)
    print(f"\n## Import cost (fresh interpreter; bare python: {mb(bare[0]):.1f} MB)\n")
    print("| module | alone: + MB over bare | in order: + MB over the rows above | total MB |")
    print("|---|---:|---:|---:|")
    previous = bare[0]
    for n, module in enumerate(DEPENDENCIES):
        alone = import_rss(module, env=env)[0]
        cumulative = import_rss(*DEPENDENCIES[: n + 1], env=env)[0]
        print(f"| {module} | {mb(alone - bare[0]):.1f} | {mb(cumulative - previous):.1f} | {mb(cumulative):.1f} |")
        previous = cumulative
    print("\n| service app module | VmRSS MB after import | anon MB | file-backed MB | boto3 loaded |")
    print("|---|---:|---:|---:|---|")
    for app in APPS:
        rss, anon, file = import_rss(app, env=env)
        loaded = subprocess.run([sys.executable, "-c", f"import sys, {app}; print('boto3' in sys.modules)"],
                                capture_output=True, text=True, cwd=ROOT, env=env, check=True).stdout.strip()
        print(f"| {app} | {mb(rss):.1f} | {mb(anon):.1f} | {mb(file):.1f} | {loaded} |")


def service_env(service: str, infra: TestInfra, exchange: str, s3: str, ports: dict[str, int],
                extra: dict[str, str]) -> dict[str, str]:
    if service == "edge":
        values = prefixed("edge", {
            "PORT": str(ports["edge"]),
            "IDENTITY_SECRET": IDENTITY_SECRET,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": infra.redis_prefix + "edge:",
            "RESPONSE_CACHE_PREFIX": infra.redis_prefix + "edge-cache:",
            "DEV_ISSUER": "true",
            "RATE_LIMIT_DEFAULT": "1000000/minute",  # the load is one user's
            **{f"UPSTREAM_{name.upper()}": f"http://127.0.0.1:{ports[name]}" for name in FEATURE_SERVICES},
        })
    else:
        db = f"mvt_{infra.run_id}_{service}"
        infra.databases.append(db)
        values = feature_service_env(infra, service, port=ports[service], database_url=database_url(db),
                                     exchange=exchange, s3_endpoint=s3, CREATE_DATABASE="true",
                                     S3_BUCKET=f"mvt-{infra.run_id.replace('_', '-')}")
    return {**os.environ, **extra, **values}


async def wait_http(http: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process | None,
                    timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.returncode is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} never answered 200")


async def expect(response_cm, *statuses: int) -> dict | list | None:
    async with response_cm as response:
        if response.status not in statuses:
            raise RuntimeError(f"{response.method} {response.url}: {response.status} {await response.text()}")
        return await response.json() if response.content_type == "application/json" else None


async def concurrently(jobs, concurrency: int) -> None:
    """Runs the coroutine functions `jobs`, at most `concurrency` at a time."""
    queue = list(jobs)[::-1]

    async def worker() -> None:
        while queue:
            await queue.pop()()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def drive(http: aiohttp.ClientSession, ports: dict[str, int], requests: int, concurrency: int) -> dict[str, str]:
    """About `requests` requests per service, none touching storage; returns each user's vehicle id."""
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    signer = IdentitySigner(IDENTITY_SECRET)
    users = [f"bench-mem|user-{n}" for n in range(10)]
    headers = {user: {ASSERTION_HEADER: signer.sign(user)} for user in users}
    vehicles: dict[str, str] = {}
    for n, user in enumerate(users):
        body = {"make": "Honda", "model": "CB500", "year": 2020, "licensePlate": f"MEM-{n:03d}"}
        created = await expect(http.post(base["vehicles"] + "/api/vehicles", json=body, headers=headers[user]), 201)
        vehicles[user] = created["id"]
    user_of = lambda n: users[n % len(users)]  # noqa: E731
    await concurrently((lambda n=n: expect(http.get(base["vehicles"] + "/api/vehicles", headers=headers[user_of(n)]), 200)
                        for n in range(requests)), concurrency)
    # fuel_logs learns the vehicles from events: wait until the last one is known there.
    last = users[-1]
    for _ in range(300):
        async with http.get(f"{base['fuel_logs']}/api/fuel-logs/vehicle/{vehicles[last]}", headers=headers[last]) as r:
            if r.status == 200:
                break
        await asyncio.sleep(0.1)

    def fuel_request(n: int):
        user = user_of(n // 4 if n % 4 == 0 else n)  # every user gets fill-ups
        if n % 4 == 0:
            fill = {**FILL, "vehicleId": vehicles[user], "odometerReading": 1000 + n}
            return expect(http.post(base["fuel_logs"] + "/api/fuel-logs", json=fill, headers=headers[user]), 201)
        return expect(http.get(base["fuel_logs"] + "/api/fuel-logs", headers=headers[user]), 200)

    await concurrently((lambda n=n: fuel_request(n) for n in range(requests)), concurrency)
    await concurrently((lambda n=n: expect(http.get(base["stations"] + "/api/stations/saved",
                                                    headers=headers[user_of(n)]), 200) for n in range(requests)), concurrency)
    await concurrently((lambda n=n: expect(http.get(base["maintenance"] + "/api/maintenance/records",
                                                    headers=headers[user_of(n)]), 200) for n in range(requests)), concurrency)
    token = (await expect(http.post(base["edge"] + "/api/auth/login", json={"username": "bench-mem"}), 200))["accessToken"]
    bearer = {"Authorization": f"Bearer {token}"}
    await concurrently((lambda: expect(http.get(base["edge"] + "/api/vehicles", headers=bearer), 200)
                        for _ in range(requests)), concurrency)
    return vehicles


async def use_storage(http: aiohttp.ClientSession, ports: dict[str, int], vehicles: dict[str, str],
                      requests: int, concurrency: int) -> None:
    """Storage in vehicles and fuel_logs: an upload started per user (the first use loads boto3),
    then `requests` image downloads (a HEAD to storage each, in worker threads)."""
    signer = IdentitySigner(IDENTITY_SECRET)
    headers = {user: {ASSERTION_HEADER: signer.sign(user)} for user in vehicles}
    vehicles_url, fuel_logs_url = (f"http://127.0.0.1:{ports[name]}" for name in ("vehicles", "fuel_logs"))
    for user, vehicle_id in vehicles.items():
        await expect(http.post(f"{vehicles_url}/api/vehicles/{vehicle_id}/image",
                               json={"contentType": "image/jpeg"}, headers=headers[user]), 201)
        logs = await expect(http.get(f"{fuel_logs_url}/api/fuel-logs", headers=headers[user]), 200)
        await expect(http.post(f"{fuel_logs_url}/api/fuel-logs/{logs[0]['id']}/receipt",
                               json={"contentType": "image/jpeg"}, headers=headers[user]), 201)
    users = list(vehicles)
    # Nothing was uploaded: each answers 404 after asking storage (a HEAD per request).
    await concurrently((lambda n=n: expect(http.get(f"{vehicles_url}/api/vehicles/{vehicles[users[n % 10]]}/image",
                                                    headers=headers[users[n % 10]], allow_redirects=False), 404)
                        for n in range(requests)), concurrency)


async def processes_report(requests: int, concurrency: int, extra: dict[str, str]) -> None:
    infra = TestInfra(run_id=f"bench_mem_{uuid.uuid4().hex[:8]}")
    exchange = infra.new_exchange()
    s3_port = free_port()
    moto = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(s3_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ports = {name: free_port() for name in SERVICES}
    processes: dict[str, asyncio.subprocess.Process] = {}
    rows: dict[str, dict[str, dict[str, int]]] = {name: {} for name in SERVICES}
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / f"mvt-{infra.run_id}"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        async with aiohttp.ClientSession() as http:
            await wait_http(http, f"http://127.0.0.1:{s3_port}/", None)
            for name in SERVICES:
                env = service_env(name, infra, exchange, f"http://127.0.0.1:{s3_port}", ports, extra)
                processes[name] = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", f"services.{name}", env=env, cwd=ROOT,
                    stdout=open(logs / f"{name}.log", "wb"), stderr=subprocess.STDOUT)
            for name in SERVICES:
                path = "/api/health" if name == "edge" else "/ready"
                await wait_http(http, f"http://127.0.0.1:{ports[name]}{path}", processes[name])
            await asyncio.sleep(2)  # let start-up work (consumers, sweepers, first relays) settle
            for name in SERVICES:
                rows[name]["idle"] = rss_kb(processes[name].pid)
            vehicles = await drive(http, ports, requests, concurrency)
            for name in SERVICES:
                rows[name]["load"] = rss_kb(processes[name].pid)
            await use_storage(http, ports, vehicles, requests, concurrency)
            await asyncio.sleep(1)
            for name in SERVICES:
                rows[name]["storage"] = rss_kb(processes[name].pid)
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for name, process in processes.items():
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                print(f"{name} did not stop on SIGTERM; killed", file=sys.stderr)
        moto.terminate()
        moto.wait(10)
        await infra.cleanup()
    extra_note = " ".join(f"{k}={v}" for k, v in extra.items()) or "none"
    print(f"\n## Service processes: VmRSS MB (anon + file-backed), extra env: {extra_note}\n")
    print(f"idle = 2 s after ready; load = after {requests} requests per service, {concurrency} at a time, none")
    print("touching storage; storage = after uploads were started in vehicles and fuel_logs (their first storage")
    print(f"use) and {requests} image downloads that ask storage ({concurrency} at a time)\n")
    print("VmRSS counts every mapped page of the shared libraries (RssFile), which the processes share;")
    print("PSS divides shared pages among the processes mapping them; USS is the process's own pages.\n")
    print("| process | idle | load | storage | anon at load | file at load | PSS at load | USS at load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in SERVICES:
        r = rows[name]
        cells = [f"{r[k]['VmRSS'] / 1024:.1f}" if k in r else "-" for k in ("idle", "load", "storage")]
        load = r.get("load")
        keys = ("RssAnon", "RssFile", "Pss", "Uss")
        parts = [f"{load[k] / 1024:.1f}" for k in keys] if load else ["-"] * len(keys)
        print(f"| {name} | {' | '.join(cells)} | {' | '.join(parts)} |")
    print(f"\nlogs: {logs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-imports", action="store_true", help="skip the import costs")
    parser.add_argument("--no-processes", action="store_true", help="skip the service processes")
    parser.add_argument("--requests", type=int, default=300, help="requests per service in the load phase")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the measured processes (e.g. MALLOC_ARENA_MAX=2)")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    if not args.no_imports:
        imports_report({**os.environ, **extra})
    if not args.no_processes:
        asyncio.run(processes_report(args.requests, args.concurrency, extra))


if __name__ == "__main__":
    main()
