"""The stations part of the account export: saved stations as the API lists them (less the
expiring photo link)."""

import json

from .conftest import BIG_CHILL, TREATS, search
from .test_saved_stations import save


async def test_export_lists_saved_stations_of_the_caller_only(stations, identity):
    alice, bob = identity("alice"), identity("bob")
    await search(stations, alice)
    await search(stations, bob)
    await save(stations, alice, placeId=TREATS, nickname="Lunch stop", isFavorite=True)
    await save(stations, alice, placeId=BIG_CHILL)
    await save(stations, bob, placeId=TREATS)

    response = await stations.get("/api/stations/export", headers=alice)
    assert response.status == 200, await response.text()
    lines = [json.loads(line) for line in (await response.read()).decode().splitlines()]
    assert [k["name"] for k in lines[0]["kinds"]] == ["saved_station"]
    exported = {line["record"]["placeId"]: line for line in lines if line["kind"] == "saved_station"}
    listed = await (await stations.get("/api/stations/saved", headers=alice)).json()
    assert set(exported) == {TREATS, BIG_CHILL}
    for station in listed:
        station.pop("photoUrl")
        assert exported[station["placeId"]]["record"] == station
    columns = lines[0]["kinds"][0]["columns"]
    treats = dict(zip(columns, exported[TREATS]["csv"]))
    assert treats["nickname"] == "Lunch stop" and treats["latitude"] == 51.507901700000005
    assert lines[-1] == {"kind": "end", "counts": {"saved_station": 2}}
