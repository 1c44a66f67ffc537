"""Google Places API (New) over HTTP: searchNearby and photo media, behind the circuit breaker.

The API key and the field mask stay on the server; the base URL is a setting so tests and
local runs point it at a stand-in. Every way the provider can fail (HTTP error statuses with
google.rpc bodies, timeouts, connection errors, bodies that are not JSON or not a searchNearby
answer) becomes `ProviderFailure`, which callers turn into a fallback, never into a 500.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import aiohttp
import orjson
from aiohttp import web

from .domain.breaker import CircuitBreaker
from .domain.places import (
    FIELD_MASK, PLACE_FIELD_MASK, InvalidProviderResponse, parse_search_nearby, parse_text_search,
)
from .domain.search import PROVIDER_MAX_RESULTS, SearchCell

log = logging.getLogger("motovault.stations.provider")

PLACES_HTTP = web.AppKey("places_http", aiohttp.ClientSession)
PLACES = web.AppKey("places", "PlacesProvider")


class ProviderFailure(Exception):
    """The provider did not give a usable answer; counts against the breaker."""


class ProviderTimeout(ProviderFailure):
    pass


class CircuitOpen(ProviderFailure):
    """The breaker refused the call: the provider failed recently and is not probed yet."""


class ProviderNotConfigured(ProviderFailure):
    """No API key: the provider is never called."""


class PhotoNotFound(Exception):
    """The provider answered that the photo name is unknown or invalid (not its failure)."""


class PlacesProvider:
    def __init__(
        self, base_url: str, api_key: str | None, breaker: CircuitBreaker,
        session: Callable[[], aiohttp.ClientSession],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.breaker = breaker
        self._api_key = api_key
        self._session = session

    @property
    def configured(self) -> bool:
        return bool(self._api_key)

    async def search_text(self, text: str, limit: int) -> list[dict[str, Any]]:
        """Places matching a typed text (Text Search, New): where a person means to search near."""
        body = {"textQuery": text, "pageSize": limit}
        return await self._search("searchText", body, PLACE_FIELD_MASK, parse_text_search)

    async def search_nearby(self, cell: SearchCell) -> list[dict[str, Any]]:
        body = {
            "includedTypes": list(cell.place_types),
            "maxResultCount": PROVIDER_MAX_RESULTS,
            "rankPreference": "DISTANCE",
            "locationRestriction": {
                "circle": {"center": {"latitude": cell.latitude, "longitude": cell.longitude},
                           "radius": float(cell.radius)},
            },
        }
        return await self._search("searchNearby", body, FIELD_MASK, parse_search_nearby)

    async def _search(
        self, method: str, body: dict[str, Any], field_mask: str, parse: Callable[[Any], list[dict[str, Any]]],
    ) -> list[dict[str, Any]]:
        headers = {"X-Goog-Api-Key": self._api_key or "", "X-Goog-FieldMask": field_mask}
        async with self._guarded():
            async with self._session().post(f"{self.base_url}/v1/places:{method}", json=body, headers=headers) as response:
                raw = await response.read()
                if response.status != 200:
                    raise ProviderFailure(f"{method} answered HTTP {response.status}: {_error_summary(raw)}")
            try:
                return parse(orjson.loads(raw))
            except orjson.JSONDecodeError:
                raise ProviderFailure(f"{method} answered a body that is not JSON") from None
            except InvalidProviderResponse as exc:
                raise ProviderFailure(f"{method} answered an unexpected body: {exc}") from None

    @asynccontextmanager
    async def photo(self, name: str, max_width_px: int) -> AsyncIterator[aiohttp.ClientResponse]:
        """The provider's image response for a photo name (redirects followed), status checked.
        Only the call and its status count for the breaker, not the copy to our client."""
        params = {"maxWidthPx": str(max_width_px), "key": self._api_key or ""}
        async with self._guarded():
            response = await self._session().get(f"{self.base_url}/v1/{name}/media", params=params)
            try:
                if response.status in (400, 404):
                    # An unknown or malformed photo name: the provider works, the name does not.
                    raise PhotoNotFound(name)
                if response.status != 200:
                    raise ProviderFailure(f"photo media answered HTTP {response.status}")
                if not response.content_type.startswith("image/"):
                    raise ProviderFailure(f"photo media answered {response.content_type}, not an image")
            except BaseException:
                response.release()
                raise
        try:
            yield response
        finally:
            response.release()

    @asynccontextmanager
    async def _guarded(self) -> AsyncIterator[None]:
        """Ask the breaker, call, report the outcome. Timeouts and connection errors are failures."""
        if not self.configured:
            raise ProviderNotConfigured("no Places API key configured")
        if not self.breaker.allow():
            raise CircuitOpen("circuit open: the provider failed recently")
        try:
            yield
        except PhotoNotFound:
            self.breaker.record_success()
            raise
        except ProviderFailure:
            self.breaker.record_failure()
            raise
        except asyncio.TimeoutError:
            self.breaker.record_failure()
            raise ProviderTimeout("the provider did not answer in time") from None
        except aiohttp.ClientError as exc:
            self.breaker.record_failure()
            raise ProviderFailure(f"the provider could not be reached: {type(exc).__name__}: {exc}") from None
        except BaseException:
            # Cancelled (the client went away) or a bug of ours: no verdict on the provider,
            # but a half-open probe must be handed back or the breaker would wait forever.
            self.breaker.abandon()
            raise
        else:
            self.breaker.record_success()


def _error_summary(raw: bytes) -> str:
    """The google.rpc error of a failed call, in one line, for the log."""
    try:
        error = orjson.loads(raw).get("error", {})
        return f"{error.get('status')}: {str(error.get('message', ''))[:200]}"
    except (orjson.JSONDecodeError, AttributeError):
        return raw[:200].decode(errors="replace")
