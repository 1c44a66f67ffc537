"""A.3 #19: routes may require permissions; a valid token lacking them answers 403 insufficient_scope."""

from __future__ import annotations

from services.edge.routing import load_route_table

from .conftest import edge_settings, route_table


async def test_missing_permission_is_403_insufficient_scope(edge, issuer, tmp_path):
    client, upstream = await edge(route_table_file=route_table(tmp_path, {"POST": ["write:vehicles"]}))
    reader = {"Authorization": f"Bearer {issuer.token(permissions=['read:vehicles'], scope='openid')}"}

    refused = await client.post("/api/vehicles", json={"vin": "x"}, headers=reader)
    assert refused.status == 403
    assert refused.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')
    assert "write:vehicles" in refused.headers["WWW-Authenticate"]
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert upstream.requests == []  # refused at the edge

    # Other methods and routes declare nothing: the same token passes.
    assert (await client.get("/api/vehicles", headers=reader)).status == 200
    assert (await client.post("/api/stations", json={}, headers=reader)).status == 201
    assert [r["method"] for r in upstream.requests] == ["GET", "POST"]


async def test_permission_from_the_permissions_array_or_the_scope_string(edge, issuer, tmp_path):
    client, upstream = await edge(route_table_file=route_table(tmp_path, {"POST": ["write:vehicles"]}))
    by_rbac = issuer.token(permissions=["read:vehicles", "write:vehicles"], scope="openid")
    by_scope = issuer.token(sub="auth0|bob", scope="openid write:vehicles profile")
    for token in (by_rbac, by_scope):
        response = await client.post("/api/vehicles", json={}, headers={"Authorization": f"Bearer {token}"})
        assert response.status == 201
    assert len(upstream.requests) == 2
    # A scope string that merely contains the name as a substring does not count.
    near_miss = issuer.token(scope="openid write:vehicles-archive")
    response = await client.post("/api/vehicles", json={}, headers={"Authorization": f"Bearer {near_miss}"})
    assert response.status == 403


async def test_star_requires_permissions_on_every_method(edge, issuer, tmp_path):
    client, _ = await edge(route_table_file=route_table(tmp_path, {"*": ["read:vehicles"], "DELETE": ["admin"]}))
    reader = {"Authorization": f"Bearer {issuer.token(permissions=['read:vehicles'])}"}
    assert (await client.get("/api/vehicles/1", headers=reader)).status == 200
    assert (await client.delete("/api/vehicles/1", headers=reader)).status == 403
    nobody = {"Authorization": f"Bearer {issuer.token(scope=None)}"}
    assert (await client.get("/api/vehicles/1", headers=nobody)).status == 403


def test_default_route_table_requires_no_permissions():
    routes, _ = load_route_table(edge_settings(dev_issuer=True))
    assert routes and all(not route.permissions for route in routes)
    assert all(not route.required_permissions(method) for route in routes for method in ("GET", "POST", "DELETE"))
