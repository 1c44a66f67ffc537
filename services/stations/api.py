"""HTTP handlers of the stations service: parse, call the search or the repository, answer."""

from __future__ import annotations

import time

from aiohttp import web
from pydantic import Field, StrictBool

from shared.db import POOL
from shared.http.errors import BadGateway, BadRequest, Forbidden, GatewayTimeout, NotFound, ServiceUnavailable
from shared.http.json import json_response
from shared.http.openapi import documented
from shared.http.middleware import REQUEST_ID_HEADER, REQUEST_ID_KEY, current_user
from shared.http.validation import parse_body, parse_query
from shared.models import ApiModel

from . import nearby, repository
from .domain.photos import SIGNED_PHOTO_PREFIX, is_photo_name
from .domain.prices import prices_by_station
from .domain.search import SearchInput
from .domain.views import known_station_dict, saved_station_view, station_view
from .nearby import PHOTO_SIGNER, STATIONS_SETTINGS
from .provider import PLACES, CircuitOpen, PhotoNotFound, ProviderFailure, ProviderNotConfigured, ProviderTimeout

routes = web.RouteTableDef()
PHOTO_CHUNK_BYTES = 64 * 1024


class SaveStationInput(ApiModel):
    place_id: str = Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_-]+$")
    nickname: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=2000)
    is_favorite: StrictBool | None = None


class PhotoQuery(ApiModel):
    max_width_px: int | None = Field(default=None, ge=1, le=4800)


class SignedPhotoQuery(ApiModel):
    exp: int
    sig: str = Field(min_length=1, max_length=100)


@routes.post("/api/stations/search")
@documented(summary="Search stations near a point", body=SearchInput, responses={200: "Stations found"})
async def search_stations(request: web.Request) -> web.Response:
    query = await parse_body(request, SearchInput)
    return json_response(await nearby.search(request.app, current_user(request), query))


@routes.post("/api/stations/save")
@documented(summary="Save a station", body=SaveStationInput)
async def save_station(request: web.Request) -> web.Response:
    user_id = current_user(request)
    body = await parse_body(request, SaveStationInput)
    changes = body.model_dump(include=body.model_fields_set - {"place_id"})
    async with request.app[POOL].acquire() as conn, conn.transaction():
        # A station is saved from a search result: it must be one this user has seen.
        if await repository.get_known_station(conn, user_id, body.place_id) is None:
            raise NotFound("Station not found: search for it before saving it")
        _, created = await repository.save_station(conn, user_id, body.place_id, changes)
        row = await repository.get_saved_station(conn, user_id, body.place_id)
        prices = await repository.latest_prices(conn, user_id, [body.place_id])
    return json_response(_saved_view(request, row, prices), status=201 if created else 200)


@routes.get("/api/stations/saved")
async def list_saved_stations(request: web.Request) -> web.Response:
    user_id = current_user(request)
    async with request.app[POOL].acquire() as conn:
        rows = await repository.list_saved_stations(conn, user_id)
        prices = await repository.latest_prices(conn, user_id, [row["place_id"] for row in rows])
    return json_response([_saved_view(request, row, prices) for row in rows])


@routes.delete("/api/stations/saved/{placeId}")
async def delete_saved_station(request: web.Request) -> web.Response:
    async with request.app[POOL].acquire() as conn:
        deleted = await repository.delete_saved_station(conn, current_user(request), request.match_info["placeId"])
    if not deleted:
        raise NotFound("Saved station not found")
    return web.Response(status=204)


@routes.get("/api/stations/photo/{reference:.+}")
@documented(summary="A station photo", query=PhotoQuery)
async def station_photo(request: web.Request) -> web.StreamResponse:
    current_user(request)  # the identity middleware has checked the caller
    reference = _photo_reference(request)
    width = parse_query(request, PhotoQuery).max_width_px or request.app[STATIONS_SETTINGS].photo_max_width_px
    max_age = request.app[STATIONS_SETTINGS].photo_cache_max_age
    return await _stream_photo(request, reference, width, f"private, max-age={max_age}")


@routes.get("/api/stations/photo-url/{reference:.+}")
async def signed_photo_url(request: web.Request) -> web.Response:
    """A URL for <img src>, which cannot send the Bearer header."""
    current_user(request)
    reference = _photo_reference(request)
    url, expires = request.app[PHOTO_SIGNER].signed_path(reference, time.time())
    return json_response({"url": url, "expiresAt": expires})


@routes.get(SIGNED_PHOTO_PREFIX + "{reference:.+}")
async def signed_station_photo(request: web.Request) -> web.StreamResponse:
    """Public (no identity assertion): the signature and its expiry are the access check."""
    reference = _photo_reference(request)
    signed = parse_query(request, SignedPhotoQuery)
    now = time.time()
    if not request.app[PHOTO_SIGNER].verify(reference, signed.exp, signed.sig, now):
        raise Forbidden("Invalid or expired photo signature")
    settings = request.app[STATIONS_SETTINGS]
    # Never cached past the URL's own expiry.
    max_age = max(0, min(settings.photo_cache_max_age, int(signed.exp - now)))
    return await _stream_photo(request, reference, settings.photo_max_width_px, f"private, max-age={max_age}")


def _photo_reference(request: web.Request) -> str:
    reference = request.match_info["reference"]
    if not is_photo_name(reference):
        raise BadRequest(
            "Invalid photo reference",
            details=[{"field": "reference", "message": "expected places/{placeId}/photos/{photoId}",
                      "type": "value_error"}],
        )
    return reference


async def _stream_photo(request: web.Request, reference: str, width: int, cache_control: str) -> web.StreamResponse:
    """Copy the provider's image to the client as it arrives; the API key stays on our side."""
    try:
        async with request.app[PLACES].photo(reference, width) as upstream:
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
    except PhotoNotFound:
        raise NotFound("Photo not found") from None
    except ProviderNotConfigured:
        raise ServiceUnavailable("Station photos are not available: no provider key configured") from None
    except CircuitOpen:
        retry_after = str(int(request.app[PLACES].breaker.reset_timeout) or 1)
        raise ServiceUnavailable("Station photos are unavailable for now", headers={"Retry-After": retry_after}) from None
    except ProviderTimeout:
        raise GatewayTimeout("The photo provider did not answer in time") from None
    except ProviderFailure:
        raise BadGateway("The photo provider failed") from None


def _saved_view(request: web.Request, row, price_rows) -> dict:
    prices = prices_by_station(price_rows)
    station = known_station_dict(row)
    photo_url = nearby.photo_url(request.app[PHOTO_SIGNER], station, time.time())
    return saved_station_view(row, station_view(station, prices.get(row["place_id"], []), photo_url, None))
