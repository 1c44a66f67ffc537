"""Saved stations: save (again = update), list, delete; each user sees only their own."""

from .conftest import BIG_CHILL, TREATS, search


async def save(client, headers, **body):
    return await client.post("/api/stations/save", json=body, headers=headers)


async def test_save_list_update_and_delete(stations, identity):
    alice = identity("alice")
    await search(stations, alice)
    created = await save(stations, alice, placeId=TREATS, nickname="Lunch stop", notes="cash only")
    assert created.status == 201
    view = await created.json()
    assert (view["placeId"], view["nickname"], view["notes"], view["isFavorite"]) == (TREATS, "Lunch stop", "cash only", False)
    assert view["name"] == "Treats Sandwich Bar" and view["location"]["latitude"] == 51.507901700000005

    updated = await save(stations, alice, placeId=TREATS, isFavorite=True)
    assert updated.status == 200
    # Fields left out of the second save keep their values.
    assert {k: (await updated.json())[k] for k in ("nickname", "notes", "isFavorite")} == \
        {"nickname": "Lunch stop", "notes": "cash only", "isFavorite": True}
    cleared = await save(stations, alice, placeId=TREATS, notes=None)
    assert (await cleared.json())["notes"] is None

    await save(stations, alice, placeId=BIG_CHILL)
    listed = await (await stations.get("/api/stations/saved", headers=alice)).json()
    assert [s["placeId"] for s in listed] == [TREATS, BIG_CHILL]  # favourites first
    assert listed[0]["photoUrl"].startswith("/api/stations/photo-signed/")

    assert (await stations.delete(f"/api/stations/saved/{TREATS}", headers=alice)).status == 204
    assert (await stations.delete(f"/api/stations/saved/{TREATS}", headers=alice)).status == 404
    listed = await (await stations.get("/api/stations/saved", headers=alice)).json()
    assert [s["placeId"] for s in listed] == [BIG_CHILL]


async def test_another_users_saved_stations_are_invisible(stations, identity):
    alice, bob = identity("alice"), identity("bob")
    await search(stations, alice)
    assert (await save(stations, alice, placeId=TREATS, notes="alice's secret")).status == 201
    assert await (await stations.get("/api/stations/saved", headers=bob)).json() == []
    assert (await stations.delete(f"/api/stations/saved/{TREATS}", headers=bob)).status == 404
    # Bob has not seen the station: he cannot save it from Alice's knowledge either.
    assert (await save(stations, bob, placeId=TREATS)).status == 404
    still_there = await (await stations.get("/api/stations/saved", headers=alice)).json()
    assert [(s["placeId"], s["notes"]) for s in still_there] == [(TREATS, "alice's secret")]


async def test_saving_an_unknown_station_is_404(stations, identity):
    response = await save(stations, identity("alice"), placeId="ChIJunknownPlace")
    assert response.status == 404


async def test_bad_save_input_is_400_with_field_details(stations, identity):
    cases = [
        ({"nickname": "x"}, "placeId"),
        ({"placeId": ""}, "placeId"),
        ({"placeId": "../etc"}, "placeId"),
        ({"placeId": TREATS, "isFavorite": "yes"}, "isFavorite"),
        ({"placeId": TREATS, "nickname": "n" * 101}, "nickname"),
        ({"placeId": TREATS, "notes": 5}, "notes"),
    ]
    for body, field in cases:
        response = await save(stations, identity("alice"), **body)
        assert response.status == 400, body
        assert field in [d["field"] for d in (await response.json())["details"]], body


async def test_not_found_answers_say_what_is_missing(stations, identity):
    alice = identity("alice")
    unseen = await save(stations, alice, placeId="ChIJunknownPlace")
    assert (await unseen.json())["message"] == "Station not found: search for it before saving it"
    unsaved = await stations.delete(f"/api/stations/saved/{TREATS}", headers=alice)
    assert unsaved.status == 404 and (await unsaved.json())["message"] == "Saved station not found"
