"""The edge's response cache with the real services behind it: the vehicles service marks its
reads cacheable and replaces the user's version token on every change, through its API and
through the events it consumes, so an answer from the edge is never older than the last change."""

from __future__ import annotations

from services.edge.app import create_app as create_edge
from services.edge.settings import EdgeSettings
from services.fuel_logs.app import create_app as create_fuel_logs
from services.fuel_logs.settings import FuelLogsSettings
from services.vehicles.app import create_app as create_vehicles
from services.vehicles.settings import VehiclesSettings
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL, free_port
from shared.testing.waiting import eventually, until_ready

VIN = "1HGCM82633A004352"


async def start_suite(backed_settings, serve, infra, tmp_path):
    vehicles_values = await backed_settings("vehicles")
    vehicles = await serve(create_vehicles(VehiclesSettings(**vehicles_values)))
    fuel_logs = await serve(create_fuel_logs(FuelLogsSettings(
        **await backed_settings("fuel_logs", events_exchange=vehicles_values["events_exchange"]))))
    port = free_port()
    edge = await serve(create_edge(EdgeSettings(
        host="127.0.0.1", port=port, identity_secret=IDENTITY_SECRET, redis_url=REDIS_URL,
        redis_prefix=infra.redis_prefix + "edge:", response_cache_prefix=vehicles_values["edge_cache_prefix"],
        dev_issuer=True, dev_issuer_key_file=str(tmp_path / "issuer.pem"), shutdown_timeout=1.0,
        upstream_vehicles=f"http://127.0.0.1:{vehicles.port}", upstream_fuel_logs=f"http://127.0.0.1:{fuel_logs.port}",
    )), port=port)
    await until_ready(vehicles)
    await until_ready(fuel_logs)
    return edge


async def log_in(edge, name: str) -> dict[str, str]:
    response = await edge.post("/api/auth/login", json={"username": name})
    assert response.status == 200, await response.text()
    return {"Authorization": f"Bearer {(await response.json())['accessToken']}"}


async def vehicle_list(edge, auth) -> tuple[str, list[dict]]:
    response = await edge.get("/api/vehicles", headers=auth)
    assert response.status == 200, await response.text()
    return response.headers["X-Edge-Cache"], await response.json()


async def test_cached_vehicle_list_follows_api_writes_and_events(backed_settings, serve, infra, tmp_path):
    edge = await start_suite(backed_settings, serve, infra, tmp_path)
    alice, bob = await log_in(edge, "alice"), await log_in(edge, "bob")

    assert await vehicle_list(edge, alice) == ("miss", [])
    assert await vehicle_list(edge, alice) == ("hit", [])

    created = await edge.post("/api/vehicles", json={"vin": VIN, "year": 2003, "odometerReading": 1000}, headers=alice)
    assert created.status == 201, await created.text()
    vehicle = await created.json()
    state, listed = await vehicle_list(edge, alice)
    assert state == "miss" and [v["id"] for v in listed] == [vehicle["id"]]
    assert (await vehicle_list(edge, alice))[0] == "hit"
    assert await vehicle_list(edge, bob) == ("miss", [])  # Bob never gets Alice's entry

    renamed = await edge.put(f"/api/vehicles/{vehicle['id']}", json={"nickname": "Blue"}, headers=alice)
    assert renamed.status == 200, await renamed.text()
    one = await edge.get(f"/api/vehicles/{vehicle['id']}", headers=alice)
    assert one.headers["X-Edge-Cache"] == "miss" and (await one.json())["nickname"] == "Blue"
    assert (await vehicle_list(edge, alice))[1][0]["nickname"] == "Blue"

    # A change that reaches vehicles by event: a fill-up with a higher odometer raises the vehicle's.
    fill_up = {"vehicleId": vehicle["id"], "dateTime": "2026-05-01T08:00:00+00:00", "odometerReading": 1500,
               "fuelUnits": 10.5, "costPerUnit": 3.299}

    async def fill_up_accepted() -> bool:
        return (await edge.post("/api/fuel-logs", json=fill_up, headers=alice)).status == 201

    await eventually(fill_up_accepted)

    async def odometer_raised() -> bool:
        return (await vehicle_list(edge, alice))[1][0]["odometerReading"] == 1500

    await eventually(odometer_raised)

    # fuel_logs: its reads are cached too, and a write through its API replaces the token.
    fill_ups = await edge.get("/api/fuel-logs", headers=alice)
    assert fill_ups.headers["X-Edge-Cache"] == "miss" and len(await fill_ups.json()) == 1
    again = await edge.get("/api/fuel-logs", headers=alice)
    assert again.headers["X-Edge-Cache"] == "hit" and len(await again.json()) == 1
    second = await edge.post("/api/fuel-logs", json={**fill_up, "odometerReading": 1800}, headers=alice)
    assert second.status == 201, await second.text()
    after_write = await edge.get("/api/fuel-logs", headers=alice)
    assert after_write.headers["X-Edge-Cache"] == "miss" and len(await after_write.json()) == 2

    deleted = await edge.delete(f"/api/vehicles/{vehicle['id']}", headers=alice)
    assert deleted.status == 204
    assert await vehicle_list(edge, alice) == ("miss", [])

    # fuel_logs learns of the deletion by event, removes the fill-ups and replaces the token.
    async def fill_ups_gone() -> bool:
        response = await edge.get("/api/fuel-logs", headers=alice)
        return await response.json() == []

    await eventually(fill_ups_gone)
