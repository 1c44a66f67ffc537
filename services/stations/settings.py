"""Settings of the stations service, from STATIONS_* environment variables."""

from pydantic import Field, SecretStr

from shared.settings import BackedServiceSettings, settings_config

from .cache_keys import SEARCH_TTL_SECONDS


class StationsSettings(BackedServiceSettings):
    model_config = settings_config("STATIONS_")

    port: int = Field(default=8083, ge=1, le=65535)

    # Google Places API (New). Without a key the search answers from stations already known.
    places_base_url: str = Field(default="https://places.googleapis.com", pattern=r"^https?://")
    places_api_key: SecretStr | None = None
    places_timeout: float = Field(default=5.0, gt=0)
    # Circuit breaker around the provider: open after this many failures in a row, probe again
    # after the reset timeout.
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_timeout: float = Field(default=30.0, gt=0)
    search_cache_ttl: int = Field(default=SEARCH_TTL_SECONDS, ge=1)

    # Signs photo URLs that <img> tags can load without a Bearer header. Unset: a key derived
    # from the identity secret (HMAC with a fixed label, so the two uses never share a key).
    photo_url_secret: SecretStr | None = Field(default=None, min_length=32)
    photo_url_ttl: int = Field(default=900, ge=60, le=86_400)
    photo_max_width_px: int = Field(default=400, ge=1, le=4800)
    # Browsers may keep a fetched photo this long (the image of a photo name never changes).
    photo_cache_max_age: int = Field(default=86_400, ge=0)
