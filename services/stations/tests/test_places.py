"""A typed place ("Camden Town, London") found through the provider's Text Search, to search near.

The stand-in answers searchText with the recorded searchNearby capture: Text Search (New) lists
places in the same `places` shape (Place resource), and the fields asked for are a subset.
"""

import json

from shared.testing.standin import Reply

from .conftest import FIXTURES, TEXT_PATH, google_error

CAPTURE = json.loads((FIXTURES / "search_nearby_new_assembled.json").read_text())


async def find(client, headers, query):
    return await client.get("/api/stations/places", params={"query": query}, headers=headers)


async def test_a_typed_place_answers_candidates_with_their_point_and_is_cached(stations, places, identity):
    response = await find(stations, identity("u1"), "  Covent Garden, London ")
    assert response.status == 200, await response.text()
    found = await response.json()
    first = CAPTURE["places"][0]
    assert found[0] == {
        "placeId": first["id"], "name": first["displayName"]["text"], "address": first["formattedAddress"],
        "latitude": first["location"]["latitude"], "longitude": first["location"]["longitude"],
    }
    assert len(found) == len(CAPTURE["places"])
    # The same text, differently spaced and cased, is the provider's answer of before.
    again = await find(stations, identity("u1"), "covent  garden, LONDON")
    assert await again.json() == found
    assert places.calls[TEXT_PATH] == 1


async def test_nothing_found_is_an_empty_list(stations, places, identity):
    places.routes[TEXT_PATH] = Reply.text("{}")
    response = await find(stations, identity("u1"), "Nowhere at all")
    assert (response.status, await response.json()) == (200, [])


async def test_a_bad_query_is_a_400_naming_it(stations, identity):
    for params in ({}, {"query": " x "}, {"query": "y" * 201}):
        response = await stations.get("/api/stations/places", params=params, headers=identity("u1"))
        assert response.status == 400, params
        assert (await response.json())["details"][0]["field"] == "query"


async def test_a_failing_provider_is_a_gateway_error_never_a_500(start_stations, places, identity):
    stations = await start_stations(places_timeout=0.2)
    places.routes[TEXT_PATH] = google_error(403, "PERMISSION_DENIED", "API key not valid")
    assert (await find(stations, identity("u1"), "Camden")).status == 502
    places.routes[TEXT_PATH] = Reply.text("<html>nope</html>", content_type="text/html")
    assert (await find(stations, identity("u1"), "Camden Town")).status == 502
    places.routes[TEXT_PATH] = Reply(body=b"{}", delay=0.6)
    assert (await find(stations, identity("u1"), "Camden Lock")).status == 504
    # Three failures in a row opened the breaker: 503 with when to retry, without calling.
    refused = await find(stations, identity("u1"), "Camden Market")
    assert refused.status == 503 and refused.headers["Retry-After"] == "30"
    assert places.calls[TEXT_PATH] == 3


async def test_without_a_key_place_search_says_so(start_stations, places, identity):
    stations = await start_stations(places_api_key=None)
    response = await find(stations, identity("u1"), "Camden")
    assert response.status == 503
    assert "no provider key" in (await response.json())["message"]
    assert places.calls[TEXT_PATH] == 0


async def test_place_search_needs_the_identity(stations):
    assert (await find(stations, {}, "Camden")).status == 401
