"""HTTP handlers of the stations service: parse the request, call a use case, answer."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from aiohttp import web
from pydantic import Field

from shared.cache import CACHE
from shared.db import POOL
from shared.http.app import SETTINGS
from shared.export_stream import stream_ndjson
from shared.http.errors import BadGateway, Forbidden, GatewayTimeout, ServiceUnavailable
from shared.http.json import json_response
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY, current_user
from shared.http.openapi import documented, link
from shared.http.paging import page_query, paged_response
from shared.http.validation import parse_body, parse_query
from shared.models import ApiModel

from . import use_cases
from .domain.photos import PHOTO_NAME, SIGNED_PHOTO_PREFIX, PhotoUrlSigner, photo_name, signed_photo_max_age
from .domain.responses import PlaceCandidate, SavedStation, SignedPhotoUrl, StationSearchResult
from .domain.saved_stations import SAVED_STATION_ORDER, SaveStationInput
from .domain.search import PlaceQuery, SearchInput
from .domain.views import saved_station_view, search_view
from .provider import PLACES, ProviderFailure, ProviderNotConfigured, ProviderTimeout

PHOTO_SIGNER = web.AppKey("photo_signer", PhotoUrlSigner)
# A photo's name as Places gives it; anything else is refused (it could steer the provider call).
PHOTO_REFERENCE = {"reference": {"pattern": PHOTO_NAME.pattern}}

routes = web.RouteTableDef()
PHOTO_CHUNK_BYTES = 64 * 1024


class PhotoQuery(ApiModel):
    max_width_px: int | None = Field(default=None, ge=1, le=4800)


# The last second of 9999: any later expiry is not a time this service could have signed.
MAX_EXPIRY = 253_402_300_799


class SignedPhotoQuery(ApiModel):
    exp: int = Field(ge=0, le=MAX_EXPIRY)
    sig: str = Field(min_length=1, max_length=100)


# What a search and a save open (OpenAPI links): the nearest station's place id and photo.
NEAREST = "$response.body#/stations/0"
SEARCH_LINKS = {
    "SaveNearest": link("stations.save_station", body={"placeId": NEAREST + "/placeId"}),
    "NearestPhotoUrl": link("stations.signed_photo_url", parameters={"reference": NEAREST + "/photoReference"}),
}
SAVED_LINKS = {"DeleteSaved": link("stations.delete_saved_station", parameters={"placeId": "$response.body#/placeId"})}


@routes.post("/api/stations/search")
@documented(summary="Search stations near a point", body=SearchInput, responses={200: StationSearchResult},
            links={200: SEARCH_LINKS})
async def search_stations(request: web.Request) -> web.Response:
    query = await parse_body(request, SearchInput)
    found = await use_cases.search_stations(
        request.app[POOL], request.app[CACHE], request.app[PLACES], current_user(request), query,
        request.app[SETTINGS].search_cache_ttl,
    )
    return json_response(search_view(found, query, request.app[PHOTO_SIGNER], time.time()))


@routes.get("/api/stations/places")
@documented(summary="Find a typed place to search near", query=PlaceQuery, responses={200: [PlaceCandidate]})
async def find_places(request: web.Request) -> web.Response:
    current_user(request)  # the identity middleware has checked the caller
    text = parse_query(request, PlaceQuery).query
    with _provider_errors("Place search"):
        places = await use_cases.find_places(request.app[CACHE], request.app[PLACES], text)
    return json_response(places)


@routes.post("/api/stations/save")
@documented(summary="Save a station", body=SaveStationInput, responses={200: SavedStation, 201: SavedStation},
            links={200: SAVED_LINKS, 201: SAVED_LINKS})
async def save_station(request: web.Request) -> web.Response:
    user_id = current_user(request)
    body = await parse_body(request, SaveStationInput)
    saved, created = await use_cases.save_station(request.app[POOL], user_id, body)
    view = saved_station_view(saved, request.app[PHOTO_SIGNER], time.time())
    return json_response(view, status=201 if created else 200)


@routes.get("/api/stations/saved")
@documented(summary="Your saved stations, favourites first, then the most recently changed",
            responses={200: [SavedStation]}, paged=True)
async def list_saved_stations(request: web.Request) -> web.Response:
    page = page_query(request, SAVED_STATION_ORDER)
    saved = await use_cases.list_saved_stations(request.app[POOL], current_user(request), page)
    signer, now = request.app[PHOTO_SIGNER], time.time()
    return paged_response(request, [saved_station_view(station, signer, now) for station in saved.items], saved,
                          SAVED_STATION_ORDER)


@routes.get("/api/stations/export")
@documented(summary="The caller's saved stations for the account export (NDJSON)",
            responses={200: "NDJSON lines: schema, saved station lines with CSV rows, end"})
async def export_stations(request: web.Request) -> web.StreamResponse:
    lines = use_cases.export_account(request.app[POOL], request.app[PHOTO_SIGNER], current_user(request), time.time())
    return await stream_ndjson(request, lines)


@routes.delete("/api/stations/saved/{placeId}")
async def delete_saved_station(request: web.Request) -> web.Response:
    await use_cases.delete_saved_station(request.app[POOL], current_user(request), request.match_info["placeId"])
    return web.Response(status=204)


@routes.get("/api/stations/photo/{reference:.+}")
@documented(summary="A station photo", query=PhotoQuery, path=PHOTO_REFERENCE)
async def station_photo(request: web.Request) -> web.StreamResponse:
    current_user(request)  # the identity middleware has checked the caller
    reference = photo_name(request.match_info["reference"])
    settings = request.app[SETTINGS]
    width = parse_query(request, PhotoQuery).max_width_px or settings.photo_max_width_px
    return await _stream_photo(request, reference, width, f"private, max-age={settings.photo_cache_max_age}")


@routes.get("/api/stations/photo-url/{reference:.+}")
@documented(summary="A signed URL of a station photo, for <img>", path=PHOTO_REFERENCE,
            responses={200: SignedPhotoUrl})
async def signed_photo_url(request: web.Request) -> web.Response:
    """A URL for <img src>, which cannot send the Bearer header."""
    current_user(request)
    reference = photo_name(request.match_info["reference"])
    url, expires = request.app[PHOTO_SIGNER].signed_path(reference, time.time())
    return json_response({"url": url, "expiresAt": expires})


@routes.get(SIGNED_PHOTO_PREFIX + "{reference:.+}")
@documented(summary="A station photo by its signed URL", query=SignedPhotoQuery, path=PHOTO_REFERENCE)
async def signed_station_photo(request: web.Request) -> web.StreamResponse:
    """Public (no identity assertion): the signature and its expiry are the access check."""
    reference = photo_name(request.match_info["reference"])
    signed = parse_query(request, SignedPhotoQuery)
    now = time.time()
    if not request.app[PHOTO_SIGNER].verify(reference, signed.exp, signed.sig, now):
        raise Forbidden("Invalid or expired photo signature")
    settings = request.app[SETTINGS]
    max_age = signed_photo_max_age(settings.photo_cache_max_age, signed.exp, now)
    return await _stream_photo(request, reference, settings.photo_max_width_px, f"private, max-age={max_age}")


async def _stream_photo(request: web.Request, reference: str, width: int, cache_control: str) -> web.StreamResponse:
    with _provider_errors("Station photos"):
        async with use_cases.open_station_photo(request.app[PLACES], reference, width) as upstream:
            response = web.StreamResponse(headers={
                "Content-Type": upstream.content_type,
                "Cache-Control": cache_control,
                # Set before the headers go out: the request-id middleware runs too late for a stream.
                REQUEST_ID_HEADER: request[REQUEST_ID_KEY],
            })
            if upstream.content_length is not None:
                response.content_length = upstream.content_length
            await response.prepare(request)
            async for chunk in upstream.content.iter_chunked(PHOTO_CHUNK_BYTES):
                await response.write(chunk)
            await response.write_eof()
            return response


@contextmanager
def _provider_errors(what: str) -> Iterator[None]:
    """The gateway answers for a provider that could not answer (no key, too slow, failed)."""
    try:
        yield
    except ProviderNotConfigured:
        raise ServiceUnavailable(f"{what}: not available, no provider key is configured") from None
    except ProviderTimeout:
        raise GatewayTimeout(f"{what}: the provider did not answer in time") from None
    except ProviderFailure:
        raise BadGateway(f"{what}: the provider failed") from None
