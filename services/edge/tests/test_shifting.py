"""Traffic shifting: exact 0 % and 100 %, shares over many users, stickiness, run-time changes."""

from __future__ import annotations

import json

import redis.asyncio as redis
from hypothesis import given, strategies as st

from services.edge.shifting import BUCKETS, bucket, choose
from shared.http.app import SETTINGS
from shared.testing.infra import REDIS_URL
from shared.testing.waiting import eventually

from .conftest import UPSTREAM_NAMES


def route_table(tmp_path, weights: dict[str, float]) -> str:
    table = {
        "pools": {},
        "routes": [{"name": "vehicles", "prefix": "/api/vehicles",
                    "versions": {"current": "vehicles", "canary": "vehicles_v2"}, "weights": weights}],
    }
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(table))
    return str(path)


@given(st.integers(0, BUCKETS - 1))
def test_zero_and_hundred_percent_are_exact(slot):
    assert choose({"current": 100, "canary": 0}, slot) == "current"
    assert choose({"current": 0, "canary": 100}, slot) == "canary"


@given(st.floats(0, 100), st.floats(0, 100), st.integers(0, BUCKETS - 1))
def test_raising_the_canary_only_moves_users_onto_it(low, high, slot):
    low, high = sorted((low, high))
    if choose({"current": 100 - low, "canary": low}, slot) == "canary":
        assert choose({"current": 100 - high, "canary": high}, slot) == "canary"


def test_ten_percent_over_a_thousand_users():
    weights = {"current": 90, "canary": 10}
    users = [f"auth0|user-{n}" for n in range(1000)]
    canary = sum(choose(weights, bucket("vehicles", user)) == "canary" for user in users)
    assert 70 <= canary <= 130  # within three points of 10 %
    # Sticky: the same user, asked again, lands on the same version.
    assert all(choose(weights, bucket("vehicles", u)) == choose(weights, bucket("vehicles", u)) for u in users)


async def test_users_are_split_sticky_and_weights_change_at_run_time(edge, echo, issuer, tmp_path):
    canary = await echo()
    client, current = await edge(
        route_table_file=route_table(tmp_path, {"current": 50, "canary": 50}),
        pools={"vehicles_v2": canary.url}, shift_refresh_seconds=0.05,
    )
    users = [f"auth0|u{n}" for n in range(40)]

    async def served_by(user: str) -> str:
        response = await client.get("/api/vehicles", headers={"Authorization": f"Bearer {issuer.token(sub=user)}"})
        assert response.status == 200
        return "canary" if response.headers["X-Upstream"] == canary.url else "current"

    first = {user: await served_by(user) for user in users}
    assert set(first.values()) == {"current", "canary"}
    assert {user: await served_by(user) for user in users} == first  # nobody flips

    prefix = client.server.app[SETTINGS].redis_prefix
    store = redis.from_url(REDIS_URL)
    try:
        await store.hset(f"{prefix}shift:vehicles", mapping={"current": 0, "canary": 100})

        async def all_on_canary() -> bool:
            return all([await served_by(user) == "canary" for user in users[:10]])

        await eventually(all_on_canary, timeout=3)
        assert {await served_by(user) for user in users} == {"canary"}
        await store.hset(f"{prefix}shift:vehicles", mapping={"current": 100, "canary": 0})

        async def all_on_current() -> bool:
            return all([await served_by(user) == "current" for user in users[:10]])

        await eventually(all_on_current, timeout=3)
    finally:
        await store.delete(f"{prefix}shift:vehicles")
        await store.aclose()
    metrics = await (await client.get("/metrics")).text()
    assert 'route="vehicles",version="canary"' in metrics and 'route="vehicles",version="current"' in metrics


def test_unknown_pools_in_the_table_are_refused(tmp_path):
    import pytest

    from services.edge.routing import load_route_table

    from .conftest import edge_settings

    settings = edge_settings(jwks_url="http://127.0.0.1:1/jwks", jwt_issuer="https://i/",
                             route_table_file=route_table(tmp_path, {"current": 90, "canary": 10}),
                             **{f"upstream_{name}": "http://127.0.0.1:1" for name in UPSTREAM_NAMES})
    with pytest.raises(ValueError, match="vehicles_v2"):
        load_route_table(settings)
