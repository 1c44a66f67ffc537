"""GET /api/docs: the services' OpenAPI documents merged, a service that is down named, not fatal."""

from __future__ import annotations

import json

from shared.testing.infra import free_port
from shared.testing.standin import Reply


def service_document(title: str, paths: dict, schemas: dict) -> Reply:
    return Reply.text(json.dumps({"openapi": "3.1.0", "info": {"title": title, "version": "1.0.0"},
                                  "paths": paths, "components": {"schemas": schemas}}))


def operation(schema: str | None = None) -> dict:
    op = {"responses": {"200": {"description": "OK"}}}
    if schema:
        op["requestBody"] = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    return op


VEHICLES = service_document("vehicles", {
    "/api/vehicles": {"get": operation(), "post": operation("Input")},
    "/api/vehicles/{id}": {"delete": operation()},
    "/internal/only": {"get": operation()},  # not under the route's prefix: the edge does not forward it
}, {"Input": {"type": "object", "properties": {"vin": {"type": "string"}}},
    "Error": {"type": "object", "properties": {"message": {"type": "string"}}}})
STATIONS = service_document("stations", {
    "/api/stations/save": {"post": operation("Input")},
    "/api/stations/photo-signed/{reference}": {"get": operation()},
}, {"Input": {"type": "object", "properties": {"placeId": {"type": "string"}}},
    "Error": {"type": "object", "properties": {"message": {"type": "string"}}}})


def route_table(tmp_path) -> str:
    table = {"pools": {}, "routes": [
        {"name": name, "prefix": prefix, "versions": {"current": name}}
        for name, prefix in (("vehicles", "/api/vehicles"), ("stations", "/api/stations"),
                             ("maintenance", "/api/maintenance"))
    ]}
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(table))
    return str(path)


async def docs_edge(edge, standin, tmp_path, maintenance_url: str, **overrides):
    vehicles = await standin({"/openapi.json": VEHICLES})
    stations = await standin({"/openapi.json": STATIONS})
    client, _ = await edge(route_table_file=route_table(tmp_path), upstream_vehicles=vehicles.url,
                           upstream_stations=stations.url, upstream_maintenance=maintenance_url, **overrides)
    return client, vehicles, stations


async def test_documents_are_merged_and_a_down_service_is_named(edge, standin, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    client, _, _ = await docs_edge(edge, standin, tmp_path, down)
    response = await client.get("/api/docs")  # public: no token
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    assert document["x-unavailable"] == ["maintenance"]
    paths = document["paths"]
    assert set(paths["/api/vehicles"]) == {"get", "post"}
    assert "/api/vehicles/{id}" in paths and "/api/stations/save" in paths
    assert "/internal/only" not in paths
    # The edge's own routes are in it too, the public ones without the bearer requirement.
    assert "post" in paths["/api/auth/login"] and paths["/api/auth/login"]["post"]["security"] == []
    assert "/api/ai/generate" in paths and "security" not in paths["/api/ai/generate"]["post"]
    assert document["security"] == [{"bearerAuth": []}]
    assert paths["/api/stations/photo-signed/{reference}"]["get"]["security"] == []

    # Both services call a different schema "Input": neither shadows the other.
    schemas = document["components"]["schemas"]
    vehicle_ref = paths["/api/vehicles"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    station_ref = paths["/api/stations/save"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert vehicle_ref != station_ref
    assert "vin" in schemas[vehicle_ref.rsplit("/", 1)[1]]["properties"]
    assert "placeId" in schemas[station_ref.rsplit("/", 1)[1]]["properties"]


async def test_merged_document_is_cached(edge, standin, tmp_path):
    maintenance = await standin({"/openapi.json": service_document("maintenance", {
        "/api/maintenance/records": {"post": operation()}}, {})})
    client, vehicles, _ = await docs_edge(edge, standin, tmp_path, maintenance.url, docs_cache_seconds=60)
    first = await (await client.get("/api/docs")).json()
    assert first["x-unavailable"] == [] and "/api/maintenance/records" in first["paths"]
    vehicles.routes["/openapi.json"] = Reply(status=503)
    again = await (await client.get("/api/docs")).json()
    assert again == first  # from the cache: the services were asked once
    assert vehicles.calls["/openapi.json"] == 1


async def test_a_broken_document_is_left_out_and_refetched_soon(edge, standin, tmp_path):
    maintenance = await standin({"/openapi.json": Reply.text("not json")})
    client, _, _ = await docs_edge(edge, standin, tmp_path, maintenance.url, docs_cache_seconds=0)
    document = await (await client.get("/api/docs")).json()
    assert document["x-unavailable"] == ["maintenance"]
    maintenance.routes["/openapi.json"] = service_document("maintenance", {"/api/maintenance/records": {"get": operation()}}, {})
    document = await (await client.get("/api/docs")).json()
    assert document["x-unavailable"] == [] and "/api/maintenance/records" in document["paths"]


def login_body_schema(document: dict) -> dict:
    operation = document["paths"]["/api/auth/login"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


async def test_login_and_verify_are_documented_as_this_edge_accepts_them(edge, standin, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    client, _, _ = await docs_edge(edge, standin, tmp_path, down, dev_issuer=True)
    document = await (await client.get("/api/docs")).json()
    dev_body = login_body_schema(document)
    assert dev_body["required"] == ["username"] and "password" not in dev_body["properties"]
    assert document["paths"]["/api/auth/verify"]["post"]["requestBody"]["required"] is False
    # It says the truth: the dev issuer logs in with a username alone.
    assert (await client.post("/api/auth/login", json={"username": "alice"})).status == 200

    client, _, _ = await docs_edge(edge, standin, tmp_path, down)
    document = await (await client.get("/api/docs")).json()
    assert "requestBody" not in document["paths"]["/api/auth/login"]["post"]
    assert "501" in document["paths"]["/api/auth/login"]["post"]["responses"]
