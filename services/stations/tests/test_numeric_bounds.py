"""Every number of a search is finite and within what PostgreSQL's arithmetic and the rules hold:
anything else is a 400 naming the field, never a 500 (issue 14: a 5e-324 radius underflowed)."""

import json

import pytest

from shared.testing.standin import Reply

from .conftest import FIXTURES, NEAR_TREATS, SEARCH_PATH, search

SEARCH = "/api/stations/search"


@pytest.mark.parametrize(("field", "value"), [
    ("radius", 5e-324),  # subnormal: PostgreSQL refused it (NumericValueOutOfRangeError), a 500
    ("radius", 0.5),  # under a metre
    ("radius", 50_001),
    ("latitude", 90.000001),
    ("longitude", -180.5),
    ("maxResults", 51),
])
async def test_an_out_of_range_number_is_a_400_naming_the_field(start_stations, identity, field, value):
    # Without a provider key the search runs in PostgreSQL, where the 5e-324 radius failed.
    keyless = await start_stations(places_api_key=None)
    response = await keyless.post(SEARCH, json={**NEAR_TREATS, "radius": 2000, field: value}, headers=identity("u1"))
    assert response.status == 400, await response.text()
    assert [detail["field"] for detail in (await response.json())["details"]] == [field]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
async def test_a_non_finite_number_is_a_400(stations, identity, token):
    body = f'{{"latitude": 51.5076, "longitude": -0.1232, "radius": {token}}}'
    response = await stations.post(SEARCH, data=body, headers={**identity("u1"), "Content-Type": "application/json"})
    assert response.status == 400, await response.text()


async def test_a_subnormal_coordinate_is_searched_at_centimetre_precision(stations, identity):
    # 1e-320 degrees is a valid number, but PostgreSQL's haversine underflows on it (radians() of
    # a station's latitude minus it): coordinates are kept to 7 decimals (~1 cm).
    answer = json.loads((FIXTURES / "search_nearby_new_assembled.json").read_bytes())
    for offset, place in enumerate(answer["places"]):  # the recorded stations, moved onto the equator
        place["location"] = {"latitude": 0.0, "longitude": 0.001 * (offset + 1)}
    stations.places.routes[SEARCH_PATH] = Reply.text(json.dumps(answer))
    user = identity("u1")
    await search(stations, user, latitude=0.0, longitude=0.0)  # the user now knows them
    stations.places.routes[SEARCH_PATH] = Reply(status=500)  # so the next search runs in PostgreSQL
    near = await search(stations, user, latitude=1e-320, longitude=0.0, radius=1000)
    assert near["source"] == "known" and len(near["stations"]) == 2
