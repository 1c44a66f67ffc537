"""The edge's CPU per forwarded request, aiohttp's ClientSession and the lean client side by side.

    python bench/forward_cost.py [--requests 3000] [--rounds 3] [--profile aiohttp|lean]
    python bench/forward_cost.py --edge [--requests 2000] [--rounds 3] [--edge-profile DIR]

A small upstream (aiohttp, answering a small JSON like a service's POST) runs in a child process,
so only the sending side is counted: `Upstream.send` as the edge calls it (headers as the edge
builds them, a small JSON body), then the answer read whole and released, as `relay_whole` does.
The two clients take turns in rounds on the same upstream, which evens out a busy machine.
CPU is this process's `time.process_time()`; `--profile` prints a cProfile of one client instead.

`--edge` measures whole edges instead: two edge processes (EDGE_UPSTREAM_CLIENT=aiohttp and
=lean, dev issuer, the machine's Redis under a prefix of their own, rate limit out of reach) in
front of the same upstream, a forwarded POST sent through each in turns at one connection from
this process; CPU is each edge process's utime + stime (/proc), latency is the client's, and the
same POST sent straight to the upstream gives what the edge adds.
Run from the repository's root with the project's virtualenv.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from aiohttp.test_utils import make_mocked_request  # noqa: E402
from multidict import CIMultiDict  # noqa: E402
from prometheus_client import CollectorRegistry  # noqa: E402

from services.edge.routing import Pool  # noqa: E402
from services.edge.upstream import Upstream, UpstreamMetrics  # noqa: E402
from services.edge.upstream_client import LeanClient  # noqa: E402
from services.edge.upstream_headers import NO_AUTO_HEADERS  # noqa: E402

BODY = b'{"vehicleId": "8d0c5b1e-3c1a-4d0e-9a55-0f4f8c2b7e11", "liters": 42.5, "odometer": 123456, "price": 1.79}'
ANSWER = {"id": "3f1c2a9e-8b7d-4c6e-a5f4-1e2d3c4b5a69", "liters": 42.5, "odometer": 123456, "price": 1.79,
          "createdAt": "2026-12-03T12:00:00Z"}


def serve(port: int) -> None:
    async def fuel_log(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(ANSWER, status=201)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fuel_log)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def forwarded_headers() -> CIMultiDict[str]:
    """What upstream_request_headers() makes of a typical API client's POST."""
    return CIMultiDict({
        "Accept": "application/json", "Content-Type": "application/json", "Content-Length": str(len(BODY)),
        "User-Agent": "motovault-app/1.0", "Accept-Encoding": "gzip, deflate",
        "X-MotoVault-Identity": "v1.YXV0aDB8YWxpY2U." + "x" * 120,
        "X-Request-Id": "0f8e6d4c-2b1a-4c3d-9e8f-7a6b5c4d3e2f",
        "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "127.0.0.1:8080",
    })


async def forward(upstream: Upstream, request: web.Request, pool: Pool, headers: CIMultiDict[str]) -> None:
    response = await upstream.send(request, "fuel_logs", "current", pool, headers, BODY, None)
    try:
        await response.read()
    finally:
        response.release()
    assert response.status == 201, response.status


async def run(args: argparse.Namespace, url: str) -> None:
    settings = SimpleNamespace(upstream_timeout=5.0, upstream_retries=1, retry_backoff_base=0.025,
                               retry_backoff_max=0.25, upstream_connect_timeout=1.0, upstream_pool_size=512)
    metrics = UpstreamMetrics(CollectorRegistry())
    pool = Pool("fuel_logs", [url], eject_after=5, eject_seconds=30)
    request = make_mocked_request("POST", "/api/fuel-logs?vehicle=8d0c", headers={"Content-Type": "application/json"})
    headers = forwarded_headers()
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=512, limit_per_host=0),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=1.0, sock_read=5.0),
        auto_decompress=False, skip_auto_headers=NO_AUTO_HEADERS, cookie_jar=aiohttp.DummyCookieJar(),
    )
    lean = LeanClient(connect_timeout=1.0, read_timeout=5.0, max_connections=512)
    senders = {"aiohttp": Upstream(session, settings, metrics), "lean": Upstream(session, settings, metrics, lean)}
    try:
        for upstream in senders.values():  # warm up: connections, caches, code paths
            for _ in range(200):
                await forward(upstream, request, pool, headers)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits
            profiler.enable()
            for _ in range(args.requests):
                await forward(senders[args.profile], request, pool, headers)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            return
        totals = {name: [0.0, 0.0] for name in senders}
        for _ in range(args.rounds):
            for name, upstream in senders.items():
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(args.requests):
                    await forward(upstream, request, pool, headers)
                totals[name][0] += time.process_time() - cpu
                totals[name][1] += time.perf_counter() - wall
        count = args.requests * args.rounds
        print(f"{count} forwarded POSTs per client, {args.rounds} alternating rounds, one connection")
        print("| client | edge CPU µs / forward | wall µs / forward |\n|---|---|---|")
        for name, (cpu, wall) in totals.items():
            print(f"| {name} | {cpu / count * 1e6:.0f} | {wall / count * 1e6:.0f} |")
        saved = 1 - totals["lean"][0] / totals["aiohttp"][0]
        print(f"lean client: {saved:.0%} less edge CPU per forward")
    finally:
        await lean.close()
        await session.close()


def edge_process(client: str, port: int, upstream: str, key_dir: str, profile: str | None) -> subprocess.Popen:
    run = uuid.uuid4().hex[:8]
    env = {key: value for key, value in os.environ.items() if not key.startswith("EDGE_")}
    env.update({
        "EDGE_PORT": str(port), "EDGE_HOST": "127.0.0.1", "EDGE_IDENTITY_SECRET": "forward-cost-bench-secret-0123456789",
        "EDGE_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EDGE_REDIS_PREFIX": f"mvbench:forward-cost:{run}:", "EDGE_RESPONSE_CACHE_PREFIX": f"mvbench:forward-cost:{run}:rc:",
        "EDGE_DEV_ISSUER": "true", "EDGE_DEV_ISSUER_KEY_FILE": f"{key_dir}/issuer-key.pem",
        "EDGE_RATE_LIMIT_DEFAULT": "100000000/minute", "EDGE_LOG_LEVEL": "WARNING", "EDGE_UPSTREAM_CLIENT": client,
        **{f"EDGE_UPSTREAM_{name}": upstream for name in ("VEHICLES", "FUEL_LOGS", "STATIONS", "MAINTENANCE")},
    })
    # Profiled in CPU time, not wall time (a busy machine's waits say nothing about the edge's
    # cost); the profile is written at the edge's clean exit (SIGTERM).
    command = ["-m", "services.edge"] if not profile else ["-c", (
        "import cProfile, runpy, time\n"
        "profiler = cProfile.Profile(time.process_time)\n"
        "profiler.enable()\n"
        "try:\n    runpy.run_module('services.edge', run_name='__main__')\n"
        f"finally:\n    profiler.disable()\n    profiler.dump_stats('{profile}/edge-{client}.prof')\n"
    )]
    return subprocess.Popen([sys.executable, *command], env=env, cwd=Path(__file__).resolve().parents[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def run_edges(args: argparse.Namespace, upstream: str, edges: dict[str, tuple[int, subprocess.Popen]]) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
        urls = {name: f"http://127.0.0.1:{port}" for name, (port, _) in edges.items()}
        tokens = {}  # each dev issuer names its own port: a token is good at its edge only
        for name, url in urls.items():
            for _ in range(200):  # until it listens
                try:
                    async with http.post(url + "/api/auth/login", json={"username": "bench"}) as response:
                        tokens[name] = (await response.json())["accessToken"]
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"the {name} edge did not start")
        targets = {"direct": (upstream, {"Content-Type": "application/json"})}
        targets.update({name: (url, {"Authorization": f"Bearer {tokens[name]}", "Content-Type": "application/json"})
                        for name, url in urls.items()})

        async def post(url: str, headers: dict[str, str]) -> None:
            async with http.post(url + "/api/fuel-logs", data=BODY, headers=headers) as response:
                await response.read()
                assert response.status == 201, response.status

        for url, headers in targets.values():  # warm up
            for _ in range(200):
                await post(url, headers)
        totals = {name: [0.0, 0.0] for name in targets}
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                pid = edges[name][1].pid if name in edges else None
                cpu, wall = cpu_seconds(pid) if pid else 0.0, time.perf_counter()
                for _ in range(args.requests):
                    await post(url, headers)
                totals[name][1] += time.perf_counter() - wall
                totals[name][0] += cpu_seconds(pid) - cpu if pid else 0.0
    count = args.requests * args.rounds
    direct = totals["direct"][1] / count
    print(f"{count} POSTs per target, {args.rounds} alternating rounds, one connection")
    print("| edge forwarding with | edge CPU µs / forward | client latency µs | added by the edge µs |\n|---|---|---|---|")
    print(f"| (straight to the upstream) | - | {direct * 1e6:.0f} | - |")
    for name in edges:
        cpu, wall = totals[name][0] / count, totals[name][1] / count
        print(f"| {name} | {cpu * 1e6:.0f} | {wall * 1e6:.0f} | {(wall - direct) * 1e6:.0f} |")
    print(f"lean client: {1 - totals['lean'][0] / totals['aiohttp'][0]:.0%} less edge CPU per forward")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("aiohttp", "lean"))
    parser.add_argument("--edge", action="store_true", help="whole edge processes, one per client")
    parser.add_argument("--edge-profile", metavar="DIR", help="with --edge: run the edges under cProfile, "
                        "writing DIR/edge-<client>.prof (CPU figures then include the profiler)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the child process: the upstream
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        for _ in range(100):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        try:
            import uvloop  # as the edge runs (shared/runtime.py)
            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        if not args.edge:
            runner(run(args, f"http://127.0.0.1:{port}"))
            return
        with tempfile.TemporaryDirectory() as key_dir:
            edges = {}
            try:
                for name in ("aiohttp", "lean"):
                    edge_port = free_port()
                    edges[name] = (edge_port, edge_process(name, edge_port, f"http://127.0.0.1:{port}", key_dir,
                                                                args.edge_profile))
                runner(run_edges(args, f"http://127.0.0.1:{port}", edges))
            finally:
                for _, process in edges.values():
                    process.terminate()
                    process.wait()
    finally:
        child.terminate()
        child.wait()


if __name__ == "__main__":
    main()
