"""Wiring of the stations service."""

from pathlib import Path

from aiohttp import web

from shared.cache import add_redis
from shared.db import add_database
from shared.events.wiring import add_events
from shared.http.app import base_app
from shared.http.client import add_http_client

from .api import PHOTO_SIGNER, routes
from .consumers import consumers
from .domain.breaker import CircuitBreaker
from .domain.photos import SIGNED_PHOTO_PREFIX, PhotoUrlSigner, derive_photo_key
from .provider import PLACES, PLACES_HTTP, PlacesProvider
from .settings import StationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: StationsSettings) -> web.Application:
    # Signed photo URLs are loaded by <img> tags, which carry no identity: their signature is the check.
    app = base_app("stations", settings, public_prefixes=(SIGNED_PHOTO_PREFIX,))
    add_database(app, settings, MIGRATIONS)
    add_redis(app, settings)
    add_events(app, settings, "stations", consumers(app))
    add_http_client(app, PLACES_HTTP, total_timeout=settings.places_timeout)
    api_key = settings.places_api_key.get_secret_value() if settings.places_api_key else None
    breaker = CircuitBreaker(settings.breaker_failure_threshold, settings.breaker_reset_timeout)
    app[PLACES] = PlacesProvider(settings.places_base_url, api_key, breaker, session=lambda: app[PLACES_HTTP])
    photo_key = (
        settings.photo_url_secret.get_secret_value().encode()
        if settings.photo_url_secret
        else derive_photo_key(settings.identity_secret.get_secret_value())
    )
    app[PHOTO_SIGNER] = PhotoUrlSigner(photo_key, settings.photo_url_ttl)
    app.add_routes(routes)
    return app
