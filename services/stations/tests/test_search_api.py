"""POST /api/stations/search: the provider's real answers, its failures, the cache, the breaker."""

import asyncio
import json

import pytest

from services.stations.domain.places import FIELD_MASK
from shared.testing.standin import Reply

from .conftest import (
    API_KEY, BIG_CHILL, FIXTURES, NEAR_TREATS, SEARCH_PATH, TREATS, fixture_reply, google_error, search,
)


async def test_provider_answer_is_sorted_by_distance_with_computed_distances(stations, identity):
    result = await search(stations, identity("u1"))
    assert result["source"] == "google" and result["fallbackReason"] is None
    assert [s["placeId"] for s in result["stations"]] == [TREATS, BIG_CHILL]
    treats, big_chill = result["stations"]
    assert treats["name"] == "Treats Sandwich Bar"
    assert treats["address"] == "49 Villiers St, London WC2N 6NE, UK"
    assert treats["location"] == {"latitude": 51.507901700000005, "longitude": -0.12330899999999997}
    assert treats["rating"] == 4.3 and treats["isOpen"] is True
    # Flat-earth estimates for these short distances: 34 m and 601 m.
    assert 30 < treats["distance"] < 40 and 590 < big_chill["distance"] < 610
    assert treats["photoReference"].startswith(f"places/{TREATS}/photos/")
    assert treats["photoUrl"].startswith(f"/api/stations/photo-signed/{treats['photoReference']}?exp=")
    assert treats["prices"] == []


async def test_the_key_and_field_mask_go_to_the_provider_only(stations, identity):
    result = await search(stations, identity("u1"), fuelType="electric")
    request = stations.places.requests[-1]
    assert request.headers["X-Goog-Api-Key"] == API_KEY
    assert request.headers["X-Goog-FieldMask"] == FIELD_MASK
    assert API_KEY not in json.dumps(result)


async def test_radius_and_max_results_cut_the_answer(stations, identity):
    near_only = await search(stations, identity("u1"), radius=200)
    assert [s["placeId"] for s in near_only["stations"]] == [TREATS]
    first_only = await search(stations, identity("u1"), maxResults=1)
    assert [s["placeId"] for s in first_only["stations"]] == [TREATS]


async def test_a_single_raw_place_object_wrapped_as_the_api_does_is_read(stations, identity):
    place = json.loads((FIXTURES / "search_nearby_new_place_item_raw.json").read_bytes())
    stations.places.routes[SEARCH_PATH] = Reply.text(json.dumps({"places": [place]}))
    result = await search(stations, identity("u1"))
    assert [s["placeId"] for s in result["stations"]] == [BIG_CHILL]
    assert result["stations"][0]["name"] == "The Big Chill Restaurant"


async def test_an_empty_answer_is_no_stations_not_a_failure(stations, identity):
    stations.places.routes[SEARCH_PATH] = Reply.text("{}")
    result = await search(stations, identity("u1"))
    assert result["source"] == "google" and result["stations"] == []


async def test_a_cached_query_does_not_call_the_provider_again(stations, identity):
    first = await search(stations, identity("u1"))
    # A few metres away and another user: the same cache cell.
    nearby_point = {"latitude": NEAR_TREATS["latitude"] + 0.0001, "longitude": NEAR_TREATS["longitude"]}
    second = await search(stations, identity("u2"), **nearby_point)
    assert stations.places.calls[SEARCH_PATH] == 1
    assert (first["source"], second["source"]) == ("google", "cache")
    assert [s["placeId"] for s in second["stations"]] == [TREATS, BIG_CHILL]
    # Distances are computed from each caller's own point, not the cached cell's centre.
    assert second["stations"][0]["distance"] != first["stations"][0]["distance"]
    far_away = await search(stations, identity("u1"), latitude=40.0, longitude=-3.7)
    assert far_away["source"] == "google" and stations.places.calls[SEARCH_PATH] == 2


FAILURES = {
    "legacy OVER_QUERY_LIMIT": fixture_reply("legacy_over_query_limit.json"),
    "legacy REQUEST_DENIED": fixture_reply("nearbysearch_legacy_request_denied.json"),
    "legacy OK envelope": fixture_reply("nearbysearch_legacy_gas_station_ok.json"),
    "legacy docs example": fixture_reply("nearbysearch_legacy_ok_google_docs_example.json"),
    "a bare Place instead of a response": fixture_reply("search_nearby_new_place_item_raw.json"),
    "403 PERMISSION_DENIED": google_error(403, "PERMISSION_DENIED", "Requests from this API key are blocked."),
    "429 RESOURCE_EXHAUSTED": google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric."),
    "400 INVALID_ARGUMENT": google_error(400, "INVALID_ARGUMENT", "Invalid radius."),
    "500 with an empty body": Reply(status=500),
    "503 with HTML": Reply.text("<html>unavailable</html>", status=503, content_type="text/html"),
    "invalid JSON": Reply.text('{"places": [', status=200),
}


@pytest.mark.parametrize("reply", FAILURES.values(), ids=FAILURES.keys())
async def test_provider_failures_fall_back_to_known_stations(stations, identity, reply):
    user = identity("u1")
    await search(stations, user)  # the user now knows both stations
    stations.places.routes[SEARCH_PATH] = reply
    # Elsewhere in the same city: a cache miss, so the provider is asked and fails.
    result = await search(stations, user, latitude=51.5077, longitude=-0.1233, radius=3000)
    assert result["source"] == "known" and result["fallbackReason"] == "provider_error"
    assert [s["placeId"] for s in result["stations"]] == [TREATS, BIG_CHILL]
    assert result["stations"][0]["distance"] < result["stations"][1]["distance"]
    assert result["stations"][0]["isOpen"] is None  # opening hours learnt earlier are stale now
    assert stations.places.calls[SEARCH_PATH] == 2


async def test_a_provider_timeout_falls_back(start_stations, identity):
    client = await start_stations(places_timeout=0.2)
    client.places.routes[SEARCH_PATH] = Reply(body=b"{}", delay=0.6)
    result = await search(client, identity("u1"))
    assert result["source"] == "known" and result["fallbackReason"] == "provider_error"


async def test_failures_are_not_cached(stations, identity):
    stations.places.routes[SEARCH_PATH] = Reply(status=500)
    assert (await search(stations, identity("u1")))["source"] == "known"
    stations.places.routes[SEARCH_PATH] = fixture_reply("search_nearby_new_assembled.json")
    assert (await search(stations, identity("u1")))["source"] == "google"


async def test_another_users_known_stations_are_not_a_fallback(stations, identity):
    await search(stations, identity("u1"))
    stations.places.routes[SEARCH_PATH] = Reply(status=500)
    result = await search(stations, identity("u2"), latitude=51.5090)
    assert result["source"] == "known" and result["stations"] == []


async def test_the_breaker_opens_after_repeated_failures_and_closes_after_a_good_probe(stations, identity):
    user = identity("u1")
    await search(stations, user)
    stations.places.routes[SEARCH_PATH] = google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
    for attempt in range(3):  # threshold 3; every point a different cache cell
        result = await search(stations, user, latitude=51.50 + attempt / 100)
        assert result["fallbackReason"] == "provider_error"
    assert stations.places.calls[SEARCH_PATH] == 4

    stations.places.routes[SEARCH_PATH] = fixture_reply("search_nearby_new_assembled.json")
    refused = await search(stations, user, latitude=51.509, radius=3000)
    assert refused["source"] == "known" and refused["fallbackReason"] == "circuit_open"
    assert [s["placeId"] for s in refused["stations"]] == [TREATS, BIG_CHILL]
    assert stations.places.calls[SEARCH_PATH] == 4  # the open breaker did not call

    stations.clock.now += 30  # the reset timeout: the next search is the probe
    probed = await search(stations, user, latitude=51.56)
    assert probed["source"] == "google" and stations.places.calls[SEARCH_PATH] == 5
    closed = await search(stations, user, latitude=51.57)
    assert closed["source"] == "google" and stations.places.calls[SEARCH_PATH] == 6


async def test_a_failed_probe_opens_the_breaker_again(stations, identity):
    user = identity("u1")
    stations.places.routes[SEARCH_PATH] = Reply(status=500)
    for attempt in range(3):
        await search(stations, user, latitude=51.50 + attempt / 100)
    stations.clock.now += 30
    assert (await search(stations, user, latitude=51.56))["fallbackReason"] == "provider_error"
    assert (await search(stations, user, latitude=51.57))["fallbackReason"] == "circuit_open"
    assert stations.places.calls[SEARCH_PATH] == 4


async def test_no_api_key_answers_from_known_stations_without_calling(start_stations, identity):
    client = await start_stations(places_api_key=None)
    result = await search(client, identity("u1"))
    assert result["source"] == "known" and result["fallbackReason"] == "no_api_key"
    assert client.places.calls[SEARCH_PATH] == 0


async def test_open_now_keeps_only_stations_the_provider_says_are_open(stations, identity):
    body = json.loads((FIXTURES / "search_nearby_new_assembled.json").read_bytes())
    body["places"][1]["currentOpeningHours"]["openNow"] = False  # Treats closed
    stations.places.routes[SEARCH_PATH] = Reply.text(json.dumps(body))
    result = await search(stations, identity("u1"), openNow=True)
    assert [s["placeId"] for s in result["stations"]] == [BIG_CHILL]


async def test_concurrent_searches_never_answer_500(stations, identity):
    stations.places.routes[SEARCH_PATH] = Reply(status=500)
    responses = await asyncio.gather(*(
        stations.post("/api/stations/search", json={"latitude": 10 + i, "longitude": 10}, headers=identity("u1"))
        for i in range(8)
    ))
    assert {r.status for r in responses} == {200}


BAD_INPUT = [
    ({"latitude": 90.5}, "latitude"),
    ({"latitude": -91}, "latitude"),
    ({"longitude": 180.01}, "longitude"),
    ({"longitude": -181}, "longitude"),
    ({"radius": 0}, "radius"),
    ({"radius": 50_001}, "radius"),
    ({"maxResults": 0}, "maxResults"),
    ({"maxResults": 51}, "maxResults"),
    ({"maxResults": 2.5}, "maxResults"),
    ({"latitude": "51.5"}, "latitude"),
    ({"longitude": None}, "longitude"),
    ({"radius": True}, "radius"),
    ({"openNow": "yes"}, "openNow"),
    ({"fuelType": "kerosene"}, "fuelType"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT, ids=[f"{k}={v!r}" for c, _ in BAD_INPUT for k, v in c.items()])
async def test_bad_input_is_400_with_field_details(stations, identity, change, field):
    response = await stations.post("/api/stations/search", json={**NEAR_TREATS, **change}, headers=identity("u1"))
    assert response.status == 400
    body = await response.json()
    assert body["statusCode"] == 400 and field in [d["field"] for d in body["details"]]
    assert stations.places.calls[SEARCH_PATH] == 0


async def test_missing_coordinates_and_non_object_bodies_are_400(stations, identity):
    missing = await stations.post("/api/stations/search", json={"radius": 100}, headers=identity("u1"))
    assert {d["field"] for d in (await missing.json())["details"]} == {"latitude", "longitude"}
    not_an_object = await stations.post("/api/stations/search", json=[1, 2], headers=identity("u1"))
    assert not_an_object.status == 400


async def test_search_needs_the_edge_identity(stations):
    response = await stations.post("/api/stations/search", json=NEAR_TREATS)
    assert response.status == 401
