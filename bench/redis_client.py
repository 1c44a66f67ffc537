"""CPU per Redis command: redis-py's asyncio client (as shared.redis_client.redis_client builds it) beside
shared.redis_pipeline.PipelinedRedis, for a GET and a two-key Lua script, one command at a time
and 64 at once. Prints one Markdown row per client, command and concurrency: user and system CPU
microseconds per command (this process only; Redis's own CPU is not counted).

    taskset -c 0 .venv/bin/python bench/redis_client.py [--url redis://127.0.0.1:6379/0] [--commands 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.cache import SOCKET_TIMEOUT  # noqa: E402
from shared.redis_client import redis_client  # noqa: E402
from shared.redis_pipeline import PipelinedRedis  # noqa: E402

SCRIPT = "redis.call('SET', KEYS[1], ARGV[1], 'EX', 60); return redis.call('GET', KEYS[2])"
KEY_PREFIX = "mvbench:redis-client:"


def cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


async def measure(name: str, client, commands: int) -> None:
    script = client.register_script(SCRIPT)
    runs = {
        "GET": lambda: client.get(KEY_PREFIX + "missing"),
        "script": lambda: script(keys=[KEY_PREFIX + "a", KEY_PREFIX + "b"], args=["v"]),
    }
    for concurrency in (1, 64):
        for command, run in runs.items():
            await asyncio.gather(*(run() for _ in range(concurrency)))  # connected, script loaded
            user, system = cpu()
            for _ in range(commands // concurrency):
                await asyncio.gather(*(run() for _ in range(concurrency)))
            user_after, system_after = cpu()
            done = commands // concurrency * concurrency
            print(f"| {name} | {command} | {concurrency} | {(user_after - user) / done * 1e6:.1f} "
                  f"| {(system_after - system) / done * 1e6:.1f} |")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--commands", type=int, default=10_000)
    options = parser.parse_args()
    print("| client | command | concurrent | user µs | system µs |")
    print("|---|---|---:|---:|---:|")
    redis_py = redis_client(options.url)
    pipelined = PipelinedRedis(options.url, timeout=SOCKET_TIMEOUT)
    try:
        await measure("redis-py", redis_py, options.commands)
        await measure("pipelined", pipelined, options.commands)
    finally:
        await redis_py.delete(KEY_PREFIX + "a")
        await redis_py.aclose()
        await pipelined.aclose()


if __name__ == "__main__":
    uvloop.run(main())
