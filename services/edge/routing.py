"""The route table: public path prefixes -> upstream versions -> pools of instances.

The table is a JSON file (EDGE_ROUTE_TABLE_FILE, default services/edge/routes.json):

    {"pools": {"vehicles": ["http://10.0.0.1:8081", "http://10.0.0.2:8081"], ...},
     "routes": [{"name": "vehicles", "prefix": "/api/vehicles",
                 "versions": {"current": "vehicles", "canary": "vehicles_v2"},
                 "weights": {"current": 90, "canary": 10}}]}

A route with one version needs no weights. A route may require permissions per method,
`"permissions": {"POST": ["write:vehicles"], "*": ["read:vehicles"]}` ("*": every method): a
token lacking one (Auth0 `permissions` array or `scope` string) answers 403 insufficient_scope. EDGE_UPSTREAM_<SERVICE> and EDGE_POOLS override the
file's pool instances, so containers configure addresses without a second file.

Passive health: an instance failing `eject_after` times in a row (connect error, timeout, 502/
503/504) is ejected for `eject_seconds`; traffic continues on the others. If every instance is
ejected the pool uses them all anyway: a guess beats a certain 502.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.routing")


@dataclass
class Instance:
    url: str
    failures: int = 0
    ejected_until: float = 0.0


class Pool:
    def __init__(self, name: str, urls: list[str], *, eject_after: int = 5, eject_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.instances = [Instance(url) for url in urls]
        self._eject_after = eject_after
        self._eject_seconds = eject_seconds
        self._clock = clock
        self._turn = 0

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(instance.url for instance in self.instances)

    def pick(self, avoid: Instance | None = None) -> Instance:
        """The next healthy instance, round-robin; `avoid` (the one that just failed) if possible."""
        now = self._clock()
        count = len(self.instances)
        fallback = None
        for _ in range(count):
            instance = self.instances[self._turn % count]
            self._turn += 1
            if instance.ejected_until > now:
                continue
            if instance is avoid and count > 1:
                fallback = instance
                continue
            return instance
        return fallback or self.instances[self._turn % count]

    def succeeded(self, instance: Instance) -> None:
        instance.failures = 0

    def failed(self, instance: Instance) -> None:
        instance.failures += 1
        if instance.failures >= self._eject_after and instance.ejected_until <= self._clock():
            instance.ejected_until = self._clock() + self._eject_seconds
            instance.failures = 0
            log.warning("Ejected %s from pool %s for %.0f s after repeated failures",
                        instance.url, self.name, self._eject_seconds)


@dataclass
class Route:
    name: str
    prefix: str
    versions: dict[str, Pool]
    # Percentages per version from the file; run-time changes come from shifting.WeightStore.
    weights: dict[str, float] = field(default_factory=dict)
    # Method (upper case, or "*" for all) -> permissions a token must carry (A.3 #19).
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)

    def required_permissions(self, method: str) -> frozenset[str]:
        if not self.permissions:
            return frozenset()
        return self.permissions.get(method, frozenset()) | self.permissions.get("*", frozenset())


def load_route_table(settings: EdgeSettings) -> tuple[list[Route], dict[str, Pool]]:
    table = json.loads(Path(settings.route_table_file).read_text())
    pool_urls: dict[str, list[str]] = {name: list(urls) for name, urls in table.get("pools", {}).items()}
    pool_urls.update(settings.upstream_urls())
    pools = {
        name: Pool(name, [url.rstrip("/") for url in urls], eject_after=settings.eject_after_failures,
                   eject_seconds=settings.eject_seconds)
        for name, urls in pool_urls.items()
    }
    routes = []
    for entry in table["routes"]:
        versions = entry.get("versions") or {"current": entry["pool"]}
        missing = [pool for pool in versions.values() if pool not in pools]
        if missing:
            raise ValueError(f"route {entry['prefix']} names unknown pools {missing}")
        weights = {name: float(value) for name, value in entry.get("weights", {}).items()}
        if not weights:
            weights = {next(iter(versions)): 100.0}
        permissions = {method.upper(): frozenset(names) for method, names in entry.get("permissions", {}).items()}
        routes.append(Route(entry.get("name") or entry["prefix"], entry["prefix"].rstrip("/"),
                            {version: pools[pool] for version, pool in versions.items()}, weights, permissions))
    return routes, pools
