"""create, GET one and PUT answer the same economy figure as the vehicle's list, wherever the
fill-up lands in its chain (they read a window of the chain, the list reads all of it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .conftest import new_vehicle

START = datetime(2026, 5, 1, 8, tzinfo=UTC)
USER = "auth0|window-api"


async def add(client, headers, vehicle_id: str, odometer, hour: int, fuel=10, **fields) -> dict:
    body = {"vehicleId": vehicle_id, "dateTime": (START + timedelta(hours=hour)).isoformat(),
            "odometerReading": odometer, "fuelUnits": fuel, "costPerUnit": 3.5, **fields}
    response = await client.post("/api/fuel-logs", json=body, headers=headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def listed(client, headers, vehicle_id: str) -> dict[str, float | None]:
    response = await client.get(f"/api/fuel-logs/vehicle/{vehicle_id}", headers=headers)
    assert response.status == 200, await response.text()
    return {log["id"]: log["efficiency"] for log in await response.json()}


async def fetched(client, headers, fuel_log_id: str) -> float | None:
    response = await client.get(f"/api/fuel-logs/{fuel_log_id}", headers=headers)
    assert response.status == 200, await response.text()
    return (await response.json())["efficiency"]


async def agrees_with_list(client, headers, vehicle_id: str, *created: dict) -> None:
    """Each answer equals the list's figure for that row, and so does GET of the row now."""
    whole = await listed(client, headers, vehicle_id)
    for log in created:
        assert log["efficiency"] == whole[log["id"]], log
        assert await fetched(client, headers, log["id"]) == whole[log["id"]]


async def test_created_in_the_middle_of_the_chain(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await add(fuel_logs, me, car, 1000, 0)
    await add(fuel_logs, me, car, 1300, 2)
    later = await add(fuel_logs, me, car, 1600, 4)
    # Dated after the 1600 fill but lower: confirmed (the odometer check refuses it otherwise).
    middle = await add(fuel_logs, me, car, 1450, 6, fuel=5, confirmOdometer=True)  # odometer order decides
    assert middle["efficiency"] == 30.0  # 150 mi from the 1300 fill on 5 gal
    await agrees_with_list(fuel_logs, me, car, middle)
    # The fill after it now closes the shorter interval from it: 150 mi on 10 gal.
    assert await fetched(fuel_logs, me, later["id"]) == 15.0 == (await listed(fuel_logs, me, car))[later["id"]]


async def test_created_after_a_missed_fill(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await add(fuel_logs, me, car, 1000, 0)
    missed_full = await add(fuel_logs, me, car, 1300, 1, missedPrevious=True)
    after_full = await add(fuel_logs, me, car, 1500, 2, fuel=8)
    missed_partial = await add(fuel_logs, me, car, 1600, 3, fuel=4, isFullFill=False, missedPrevious=True)
    no_anchor = await add(fuel_logs, me, car, 1800, 4)
    anchored = await add(fuel_logs, me, car, 2100, 5)
    assert missed_full["efficiency"] is None and after_full["efficiency"] == 25.0  # 200 mi / 8 gal
    assert missed_partial["efficiency"] is None and no_anchor["efficiency"] is None
    assert anchored["efficiency"] == 30.0
    await agrees_with_list(fuel_logs, me, car, missed_full, after_full, missed_partial, no_anchor, anchored)


async def test_created_after_more_partial_fills_than_one_batch(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await add(fuel_logs, me, car, 1000, 0)
    # 45 partials: the backward walk needs three batches (8, 32, then more) to reach the anchor.
    partials = [await add(fuel_logs, me, car, 1000 + 10 * n, n, fuel=0.2, isFullFill=False) for n in range(1, 46)]
    closing = await add(fuel_logs, me, car, 1500, 50, fuel=1)
    assert closing["efficiency"] == 50.0  # 500 mi on 45 x 0.2 + 1 = 10 gal
    await agrees_with_list(fuel_logs, me, car, closing, partials[0], partials[-1])

    # PUT answers the new figure; a changed partial moves the figure of the fill it feeds.
    response = await fuel_logs.put(f"/api/fuel-logs/{closing['id']}", json={"fuelUnits": 11}, headers=me)
    assert response.status == 200, await response.text()
    assert (await response.json())["efficiency"] == 25.0  # 500 mi on 9 + 11 = 20 gal
    response = await fuel_logs.put(f"/api/fuel-logs/{partials[3]['id']}", json={"fuelUnits": 5.2}, headers=me)
    assert response.status == 200 and (await response.json())["efficiency"] is None
    assert await fetched(fuel_logs, me, closing["id"]) == 20.0  # 500 mi on 25 gal
    assert (await listed(fuel_logs, me, car))[closing["id"]] == 20.0


async def test_liquid_and_electric_chains_stay_apart(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await add(fuel_logs, me, car, 1000, 0)
    charge = await add(fuel_logs, me, car, 1100, 1, fuel=20, fuelType="electric")
    liquid = await add(fuel_logs, me, car, 1300, 2)
    recharge = await add(fuel_logs, me, car, 1400, 3, fuel=30, fuelType="electric")
    assert charge["efficiency"] is None and liquid["efficiency"] == 30.0  # the charge is not its anchor
    assert recharge["efficiency"] == 10.0  # 300 mi on 30 kWh
    await agrees_with_list(fuel_logs, me, car, charge, liquid, recharge)


async def test_a_trip_only_fill_in_the_chain_still_gives_the_lists_figure(fuel_logs, identity):
    me = identity(USER)
    car = await new_vehicle(fuel_logs, USER)
    await add(fuel_logs, me, car, 1000, 0)
    trip_only = await add(fuel_logs, me, car, None, 1, tripDistance=250, fuel=5)
    after = await add(fuel_logs, me, car, 1500, 2)
    # The trip-only fill sits at 1250, between the reading before it and this one.
    assert trip_only["efficiency"] == 50.0 and after["efficiency"] == 25.0
    await agrees_with_list(fuel_logs, me, car, trip_only, after)
