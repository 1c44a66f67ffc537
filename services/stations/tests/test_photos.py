"""Station photos: streamed from the provider with cache headers; signed URLs for <img> tags."""

import time
from urllib.parse import parse_qs, urlsplit

from services.stations.api import PHOTO_SIGNER
from shared.testing.standin import Reply

from .conftest import API_KEY, PHOTO_PATH, PNG, TREATS, search

REFERENCE = f"places/{TREATS}/photos/AWn5SU4wcxgF1Ya6r1Nsfvxotf9w1jD5gx4Lyps3l29"


async def test_photo_is_streamed_with_cache_headers_and_the_key_stays_on_the_server(stations, identity):
    response = await stations.get(f"/api/stations/photo/{REFERENCE}?maxWidthPx=320", headers=identity("u1"))
    assert response.status == 200
    assert await response.read() == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, max-age=86400"
    assert API_KEY not in str(response.headers)
    upstream = stations.places.requests[-1]
    assert upstream.path == f"/v1/{REFERENCE}/media"
    assert (upstream.query["key"], upstream.query["maxWidthPx"]) == (API_KEY, "320")


async def test_photo_needs_the_identity_and_a_valid_reference(stations, identity):
    assert (await stations.get(f"/api/stations/photo/{REFERENCE}")).status == 401
    bad = await stations.get("/api/stations/photo/places/x/../../v1/places:searchNearby", headers=identity("u1"))
    assert bad.status in (400, 404)
    assert (await stations.get("/api/stations/photo/not-a-photo", headers=identity("u1"))).status == 400
    too_wide = await stations.get(f"/api/stations/photo/{REFERENCE}?maxWidthPx=5000", headers=identity("u1"))
    assert too_wide.status == 400
    assert stations.places.calls[PHOTO_PATH] == 0


async def test_signed_url_from_a_search_works_without_a_bearer(stations, identity):
    result = await search(stations, identity("u1"))
    photo_url = result["stations"][0]["photoUrl"]
    response = await stations.get(photo_url)  # no identity header at all, like an <img> tag
    assert response.status == 200 and await response.read() == PNG
    max_age = int(response.headers["Cache-Control"].split("max-age=")[1])
    expires = int(parse_qs(urlsplit(photo_url).query)["exp"][0])
    assert 0 < max_age <= expires - time.time() + 1


async def test_signed_url_endpoint_and_tampering(stations, identity):
    signed = await (await stations.get(f"/api/stations/photo-url/{REFERENCE}", headers=identity("u1"))).json()
    assert (await stations.get(signed["url"])).status == 200
    query = parse_qs(urlsplit(signed["url"]).query)
    exp, sig = query["exp"][0], query["sig"][0]
    other_photo = REFERENCE[:-1] + "X"
    tampered = [
        f"/api/stations/photo-signed/{other_photo}?exp={exp}&sig={sig}",
        f"/api/stations/photo-signed/{REFERENCE}?exp={int(exp) + 900}&sig={sig}",
        f"/api/stations/photo-signed/{REFERENCE}?exp={exp}&sig={'A' * len(sig)}",
    ]
    for url in tampered:
        assert (await stations.get(url)).status == 403, url
    missing = await stations.get(f"/api/stations/photo-signed/{REFERENCE}?exp={exp}")
    assert missing.status == 400
    assert stations.places.calls[PHOTO_PATH] == 1


async def test_an_expired_signed_url_is_refused(stations):
    signer = stations.app[PHOTO_SIGNER]
    expired = signer.signature(REFERENCE, int(time.time()) - 1)
    response = await stations.get(f"/api/stations/photo-signed/{REFERENCE}?exp={int(time.time()) - 1}&sig={expired}")
    assert response.status == 403


async def test_provider_photo_failures_are_gateway_errors_never_500(start_stations, identity):
    # A threshold these failures cannot reach, and a short timeout for the slow case.
    stations = await start_stations(breaker_failure_threshold=10, places_timeout=0.2)
    url = f"/api/stations/photo/{REFERENCE}"
    cases = [
        (Reply(status=404), 404),
        (Reply.text('{"error": {"code": 403, "status": "PERMISSION_DENIED"}}', status=403), 502),
        (Reply(status=500), 502),
        (Reply.text("<html></html>", content_type="text/html"), 502),
        (Reply(body=PNG, content_type="image/png", delay=0.6), 504),
    ]
    for reply, status in cases:
        stations.places.routes[PHOTO_PATH] = reply
        assert (await stations.get(url, headers=identity("u1"))).status == status, reply


async def test_photos_answer_503_when_the_breaker_is_open_or_there_is_no_key(start_stations, identity):
    client = await start_stations(breaker_failure_threshold=1)
    client.places.routes[PHOTO_PATH] = Reply(status=500)
    url = f"/api/stations/photo/{REFERENCE}"
    assert (await client.get(url, headers=identity("u1"))).status == 502
    refused = await client.get(url, headers=identity("u1"))
    assert refused.status == 503 and refused.headers["Retry-After"] == "30"
    assert client.places.calls[PHOTO_PATH] == 1
    keyless = await start_stations(places_api_key=None)
    assert (await keyless.get(url, headers=identity("u1"))).status == 503


async def test_photo_errors_keep_their_messages_and_details(start_stations, identity):
    stations = await start_stations(breaker_failure_threshold=1)
    bad = await stations.get("/api/stations/photo/not-a-photo", headers=identity("u1"))
    assert await bad.json() == {
        "statusCode": 400, "error": "Bad Request", "message": "Invalid photo reference",
        "requestId": bad.headers["X-Request-Id"],
        "details": [{"field": "reference", "message": "expected places/{placeId}/photos/{photoId}",
                     "type": "value_error"}],
    }
    stations.places.routes[PHOTO_PATH] = Reply(status=404)
    missing = await stations.get(f"/api/stations/photo/{REFERENCE}", headers=identity("u1"))
    assert (missing.status, (await missing.json())["message"]) == (404, "Photo not found")
    stations.places.routes[PHOTO_PATH] = Reply(status=500)
    assert (await stations.get(f"/api/stations/photo/{REFERENCE}", headers=identity("u1"))).status == 502
    refused = await stations.get(f"/api/stations/photo/{REFERENCE}", headers=identity("u1"))
    assert (refused.status, (await refused.json())["message"]) == (503, "Station photos are unavailable for now")
    keyless = await start_stations(places_api_key=None)
    unconfigured = await keyless.get(f"/api/stations/photo/{REFERENCE}", headers=identity("u1"))
    assert unconfigured.status == 503 and "Retry-After" not in unconfigured.headers
