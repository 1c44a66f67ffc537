"""Every answer the stations service documents a schema for matches it (issue 14): real answers,
from the service on a real socket against the Places stand-in, held to the schemas of its own
/openapi.json, with no property the schema does not list (shared/testing/answer_schemas.py).
Searches are answered by the provider, its cache and the known stations; a station carries a
price; a saved station known only from a fill-up has no name, place or photo (nulls)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from shared.testing.answer_schemas import AnswerSchemas

from .conftest import NEAR_TREATS, SEARCH_PATH, TREATS, google_error
from .test_prices import apply, fill_up

USER = "auth0|answer-schemas"
FILL_UP_ONLY = "ChIJ-known-from-a-fill-up-only"


async def test_every_documented_answer_matches_its_schema(stations, identity):
    answers = await AnswerSchemas.of(stations)
    headers = identity(USER)
    await apply(stations, fill_up("created", uuid.uuid4(), user=USER),
                fill_up("created", uuid.uuid4(), user=USER, station=FILL_UP_ONLY))

    async def search(radius: int) -> dict:
        return await answers.check(await stations.post("/api/stations/search", json={**NEAR_TREATS, "radius": radius},
                                                       headers=headers))

    found = await search(2000)
    assert found["source"] == "google" and found["fallbackReason"] is None
    treats = next(station for station in found["stations"] if station["placeId"] == TREATS)
    assert treats["prices"] and treats["photoUrl"] is not None
    assert (await search(2000))["source"] == "cache"
    stations.places.routes[SEARCH_PATH] = google_error(500, "INTERNAL", "boom")
    fallback = await search(3000)
    assert (fallback["source"], fallback["fallbackReason"]) == ("known", "provider_error") and fallback["stations"]

    places = await answers.check(await stations.get("/api/stations/places?query=Villiers+Street", headers=headers))
    assert places
    reference = quote(treats["photoReference"])
    await answers.check(await stations.get(f"/api/stations/photo-url/{reference}", headers=headers))

    saved = await answers.check(await stations.post("/api/stations/save", json={"placeId": TREATS, "nickname": "Lunch"},
                                                     headers=headers))
    again = await stations.post("/api/stations/save", json={"placeId": TREATS, "isFavorite": True}, headers=headers)
    assert again.status == 200 and (await answers.check(again))["savedAt"] == saved["savedAt"]
    bare = await answers.check(await stations.post("/api/stations/save", json={"placeId": FILL_UP_ONLY},
                                                   headers=headers))
    assert bare["location"] is None and bare["name"] is None and bare["photoUrl"] is None
    assert len(await answers.check(await stations.get("/api/stations/saved", headers=headers))) == 2
    await answers.check(await stations.get("/api/stations/saved?limit=1", headers=headers))

    assert answers.unchecked() == set()
