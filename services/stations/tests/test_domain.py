"""Pure rules: cache cells, distances (Python and SQL agree), provider bodies, photo signatures."""

import json
import math
import random

import asyncpg
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.stations import repository
from services.stations.cache_keys import search_cache_key
from services.stations.domain.photos import PhotoUrlSigner, derive_photo_key, is_photo_name
from services.stations.domain.places import InvalidProviderResponse, parse_search_nearby
from services.stations.domain.search import MAX_RADIUS_M, SearchInput, haversine_m, search_cell

from .conftest import FIXTURES, TREATS

latitudes = st.floats(min_value=-89.9, max_value=89.9)
longitudes = st.floats(min_value=-179.9, max_value=179.9)
radii = st.floats(min_value=1, max_value=MAX_RADIUS_M)


@pytest.mark.pure
@given(latitudes, longitudes, radii)
def test_the_cell_query_covers_the_callers_whole_circle(lat, lng, radius):
    """Property: the caller's circle lies inside the provider query of its cell (except where
    the cell radius hits the provider's 50 km cap). The worst point is on the caller's circle,
    straight away from the cell centre: its distance is the radius plus the rounding shift."""
    cell = search_cell(SearchInput(latitude=lat, longitude=lng, radius=radius))
    assume(cell.radius < MAX_RADIUS_M)
    shift = haversine_m(cell.latitude, cell.longitude, lat, lng)
    assert shift + radius <= cell.radius  # then by the triangle inequality every point is inside
    # Half the diagonal of a 0.001 degree cell (0.01 beyond 5 km), in metres.
    assert shift <= (79 if radius <= 5000 else 787)


@pytest.mark.pure
@given(latitudes, longitudes, st.floats(min_value=-0.0004, max_value=0.0004), st.floats(-0.0004, 0.0004))
def test_nearby_points_mostly_share_a_cell_key(lat, lng, dlat, dlng):
    """Two queries whose points round to the same grid point share one cache entry."""
    one = search_cell(SearchInput(latitude=lat, longitude=lng, radius=1000))
    two = search_cell(SearchInput(latitude=lat + dlat, longitude=lng + dlng, radius=1000))
    same_point = (round(lat, 3), round(lng, 3)) == (round(lat + dlat, 3), round(lng + dlng, 3))
    assert (search_cache_key(one) == search_cache_key(two)) == same_point


@pytest.mark.pure
def test_cell_key_separates_fuel_kinds_and_radius_buckets():
    base = dict(latitude=51.5076, longitude=-0.1232)
    keys = {
        search_cache_key(search_cell(SearchInput(**base, radius=1000))),
        search_cache_key(search_cell(SearchInput(**base, radius=1000, fuelType="electric"))),
        search_cache_key(search_cell(SearchInput(**base, radius=3000))),
    }
    assert len(keys) == 3
    assert search_cache_key(search_cell(SearchInput(**base, radius=1000, fuelType="diesel"))) == \
        search_cache_key(search_cell(SearchInput(**base, radius=1000)))


@pytest.mark.pure
@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_is_a_symmetric_bounded_distance(lat1, lng1, lat2, lng2):
    d = haversine_m(lat1, lng1, lat2, lng2)
    assert d == pytest.approx(haversine_m(lat2, lng2, lat1, lng1), abs=1e-6)
    assert 0 <= d <= math.pi * 6_371_008.8 + 1e-6
    assert haversine_m(lat1, lng1, lat1, lng1) == 0


@pytest.mark.pure
def test_haversine_matches_a_known_distance():
    # London (51.5074, -0.1278) to Paris (48.8566, 2.3522): about 343.5 km on the mean sphere.
    assert haversine_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.002)


async def test_sql_distance_agrees_with_python(backed_settings):
    """The fallback's SQL haversine and the provider path's Python one rank stations alike."""
    values = await backed_settings("stations_sql")
    from shared.db import migrate
    from services.stations.app import MIGRATIONS

    await migrate(values["database_url"], MIGRATIONS)
    conn = await asyncpg.connect(values["database_url"])
    rng = random.Random(6)
    try:
        origin = (48.85, 2.35)
        stations = [
            {"placeId": f"p{i}", "name": None, "address": None, "rating": None, "photoReference": None, "types": [],
             "latitude": origin[0] + rng.uniform(-0.4, 0.4), "longitude": origin[1] + rng.uniform(-0.6, 0.6)}
            for i in range(60)
        ]
        async with conn.transaction():
            await repository.remember_stations(conn, "u1", stations)
        rows = await repository.nearby_known_stations(conn, "u1", *origin, 30_000, 100, ["gas_station"], None)
    finally:
        await conn.close()
    expected = {s["placeId"]: haversine_m(*origin, s["latitude"], s["longitude"]) for s in stations}
    inside = sorted((d, p) for p, d in expected.items() if d <= 30_000)
    assert [r["place_id"] for r in rows] == [p for _, p in inside]
    for row in rows:
        assert row["distance"] == pytest.approx(expected[row["place_id"]], abs=0.01)
    assert 0 < len(rows) < len(stations)


@pytest.mark.pure
def test_parse_reads_the_real_capture():
    stations = parse_search_nearby(json.loads((FIXTURES / "search_nearby_new_assembled.json").read_bytes()))
    treats = stations[1]
    assert treats["placeId"] == TREATS and treats["name"] == "Treats Sandwich Bar"
    assert treats["photoAttributions"] and treats["photoAttributions"][0]["displayName"]
    assert "sandwich_shop" in treats["types"]


@pytest.mark.parametrize("name", [
    "legacy_over_query_limit.json", "nearbysearch_legacy_request_denied.json",
    "nearbysearch_legacy_gas_station_ok.json", "search_nearby_new_place_item_raw.json",
])
@pytest.mark.pure
def test_parse_rejects_bodies_that_are_not_a_search_nearby_answer(name):
    with pytest.raises(InvalidProviderResponse):
        parse_search_nearby(json.loads((FIXTURES / name).read_bytes()))


@pytest.mark.pure
def test_parse_skips_places_without_id_or_location():
    body = {"places": [{"id": "a"}, {"location": {"latitude": 1, "longitude": 2}},
                       {"id": "b", "location": {"latitude": 91, "longitude": 2}},
                       {"id": "c", "location": {"latitude": 1.5, "longitude": 2}}, "junk"]}
    assert [s["placeId"] for s in parse_search_nearby(body)] == ["c"]
    assert parse_search_nearby({}) == []
    for bad in ([], "x", {"places": {}}, {"error": {"code": 403}}):
        with pytest.raises(InvalidProviderResponse):
            parse_search_nearby(bad)


photo_names = st.from_regex(r"places/[A-Za-z0-9_-]{1,30}/photos/[A-Za-z0-9_-]{1,60}", fullmatch=True)


@pytest.mark.pure
@given(photo_names, st.integers(min_value=0, max_value=2**40))
def test_signed_urls_verify_until_they_expire_and_only_for_their_photo(name, now):
    signer = PhotoUrlSigner(derive_photo_key("s" * 40), ttl_seconds=900)
    path, expires = signer.signed_path(name, now)
    signature = path.rsplit("sig=", 1)[1]
    assert now + 900 <= expires <= now + 1800
    assert signer.verify(name, expires, signature, now)
    assert signer.verify(name, expires, signature, expires)
    assert not signer.verify(name, expires, signature, expires + 1)
    assert not signer.verify(name + "x", expires, signature, now)
    assert not signer.verify(name, expires + 1, signature, now)
    other_key = PhotoUrlSigner(derive_photo_key("t" * 40), ttl_seconds=900)
    assert not other_key.verify(name, expires, signature, now)


@pytest.mark.pure
def test_photo_key_is_not_the_identity_secret_and_names_are_checked():
    assert derive_photo_key("s" * 40) != ("s" * 40).encode()
    assert is_photo_name(f"places/{TREATS}/photos/AWn5SU4w-_x")
    for bad in ["places/a/photos/", "places/a/photos/b/../c", "places/a/photos/b?key=x", "v1/places:searchNearby"]:
        assert not is_photo_name(bad)
