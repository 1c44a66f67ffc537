"""Configuration of the edge gateway, read from EDGE_* variables and validated at start.

Auth settings resolve to one JWKS URL and one issuer: an explicit EDGE_JWKS_URL / EDGE_JWT_ISSUER
wins, then values derived from EDGE_AUTH0_DOMAIN, then the local dev issuer's own URLs. Auth0
comes before the dev issuer on purpose: if the dev issuer is switched on by mistake next to a
real tenant, its tokens do not verify.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from shared.settings import ServiceSettings, settings_config

UPSTREAM_NAMES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts")
_BASE_URL = re.compile(r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}
DEFAULT_ROUTE_TABLE = str(Path(__file__).with_name("routes.json"))
# The repository's web/dist, where `npm run build` (scripts/install) puts the app.
DEFAULT_WEB_ROOT = str(Path(__file__).resolve().parents[2] / "web" / "dist")
# "<count>/<window>": window is second|minute|hour|day or a number of seconds ("100/30s").
RATE_LIMIT_FORMAT = r"^\s*\d+\s*/\s*(second|minute|hour|day|\d+(\.\d+)?s)\s*$"


class EdgeSettings(ServiceSettings):
    model_config = settings_config("EDGE_")

    port: int = Field(default=8080, ge=1, le=65535)
    # Rate limits, traffic-shifting weights and PKCE login state; shared by all edge instances.
    redis_url: str = Field(pattern=r"^rediss?://")
    redis_prefix: str = "mv:edge:"
    # Equal to the services' <SERVICE>_EDGE_CACHE_PREFIX: GETs they mark cacheable are answered
    # from Redis under it (shared/edge_cache.py).
    response_cache_prefix: str = "mv:edge-cache:"
    response_cache: bool = True
    # Larger answers are never kept (above 256 KiB the proxy streams them, WHOLE_BODY_BYTES in proxy.py).
    response_cache_max_bytes: int = Field(default=262_144, ge=0)

    # Identity provider. Field order matters: validators of later fields read earlier ones.
    auth0_domain: str | None = None
    jwks_url: str | None = None
    dev_issuer: bool = Field(default=False, validate_default=True)
    jwt_issuer: str | None = Field(default=None, validate_default=True)
    jwt_audience: str = Field(default="https://api.motovault.local", min_length=1)
    dev_issuer_key_file: str | None = None
    jwt_leeway: int = Field(default=30, ge=0, le=300)
    # Longest accepted exp - iat (Auth0's default access-token lifetime is 24 h).
    jwt_max_lifetime: int = Field(default=86_400, gt=0)
    # Verified tokens kept (LRU) until they expire: a repeat request costs no RSA verification.
    verified_token_cache_size: int = Field(default=10_000, ge=0)
    jwks_cache_ttl: float = Field(default=600.0, gt=0)
    # Least time between two JWKS fetches, so tokens with made-up kids cannot hammer the issuer.
    jwks_refetch_cooldown: float = Field(default=10.0, ge=0)
    jwks_fetch_timeout: float = Field(default=5.0, gt=0)

    # The route table: path prefixes -> pools of instances, traffic-shifting weights (routes.json).
    route_table_file: str = DEFAULT_ROUTE_TABLE
    # Overrides of the table's pools: comma-separated base URLs (several instances: round-robin).
    upstream_vehicles: str | None = None
    upstream_fuel_logs: str | None = None
    upstream_stations: str | None = None
    upstream_maintenance: str | None = None
    upstream_notifications: str | None = None
    upstream_accounts: str | None = None
    # Any pool by name, as JSON: EDGE_POOLS='{"vehicles_v2": "http://10.0.0.9:8081"}'.
    pools: dict[str, str] = {}
    # Until the upstream's response headers arrive; afterwards the same value bounds each read.
    upstream_timeout: float = Field(default=30.0, gt=0)
    upstream_connect_timeout: float = Field(default=2.0, gt=0)
    upstream_pool_size: int = Field(default=512, ge=1)
    # What forwards /api requests: "lean" (upstream_client.py: about half the CPU of aiohttp's
    # client, 12-18 % of the edge's per forward in bench/forward_cost.py, 17 % of its CPU per fill-up
    # in bench/profile) or "aiohttp" (its ClientSession, the fallback).
    upstream_client: Literal["aiohttp", "lean"] = "lean"
    health_probe_timeout: float = Field(default=2.0, gt=0)
    # /api/health probes the services at most this often; answers in between come from memory.
    health_cache_seconds: float = Field(default=2.0, ge=0)
    # Retries only for idempotent requests without a body, on another instance, full-jitter backoff.
    upstream_retries: int = Field(default=1, ge=0, le=5)
    retry_backoff_base: float = Field(default=0.025, ge=0)
    retry_backoff_max: float = Field(default=0.25, ge=0)
    # Passive health: this many failures in a row eject an instance for eject_seconds.
    eject_after_failures: int = Field(default=5, ge=1)
    eject_seconds: float = Field(default=30.0, gt=0)
    # Request bodies streamed to a service (uploads); larger ones answer 413.
    proxy_max_body_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    # Account exports in progress at once per instance (more answer 503): each holds one thread of
    # the default executor while its zip is written (stream-zip), and at most 4 always leaves one
    # of its min(32, CPUs + 4) threads for DNS lookups and boto3.
    exports_in_flight: int = Field(default=2, ge=1, le=4)
    # Traffic-shifting weights set at run time in Redis are re-read at most this often.
    shift_refresh_seconds: float = Field(default=2.0, gt=0)

    # CORS: "*" or a comma-separated list of origins. Bearer tokens only, never credentials.
    cors_allowed_origins: str = "*"
    cors_max_age: int = Field(default=600, ge=0)

    # Rate limits per route class, "<count>/<window>" (window: second, minute, hour, day or
    # "<n>s"), e.g. EDGE_RATE_LIMIT_DEFAULT="1000000/minute". Per user, or per client IP
    # for anonymous requests.
    rate_limit_default: str = Field(default="600/minute", pattern=RATE_LIMIT_FORMAT)
    rate_limit_login: str = Field(default="10/minute", pattern=RATE_LIMIT_FORMAT)
    rate_limit_ai: str = Field(default="20/hour", pattern=RATE_LIMIT_FORMAT)
    # Redis down: true lets requests through (an in-process limiter still applies), false answers 503.
    rate_limit_fail_open: bool = True
    # Proxies in front of the edge whose X-Forwarded-For entries are believed (0: none).
    trusted_proxies: int = Field(default=0, ge=0, le=10)

    # Auth0 login through the edge (password-realm grant, or authorization code with PKCE).
    auth0_base_url: str | None = None  # default https://<auth0_domain>; tests point it at a stand-in
    auth0_client_id: str | None = None
    auth0_client_secret: SecretStr | None = None
    auth0_realm: str = "Username-Password-Authentication"
    # Authorization code + PKCE: the default redirect_uri, and every redirect_uri a client may
    # ask for (comma-separated, exact match); the state lives in Redis for auth0_state_ttl seconds.
    auth0_redirect_uri: str | None = None
    auth0_allowed_redirects: str = ""
    auth0_state_ttl: int = Field(default=600, ge=10, le=3600)
    auth0_scope: str = "openid profile email"
    auth0_timeout: float = Field(default=10.0, gt=0)

    # AI generation through Anthropic's Messages API with the server-side key.
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str = Field(default="https://api.anthropic.com", pattern=r"^https?://")
    anthropic_model: str = "claude-sonnet-4-20250514"
    anthropic_version: str = "2023-06-01"
    ai_max_tokens: int = Field(default=1024, ge=1, le=64_000)
    ai_timeout: float = Field(default=60.0, gt=0)

    # The services' OpenAPI documents, merged at /api/docs, are re-fetched at most this often.
    docs_cache_seconds: float = Field(default=60.0, ge=0)

    # Personal access tokens (services/edge/access_tokens.py) live in the edge's own database;
    # without EDGE_DATABASE_URL they are off and the edge needs no database at all.
    database_url: str | None = Field(default=None, pattern=r"^postgres(ql)?://")
    create_database: bool = False  # local runs only: create the database if it is missing
    db_pool_min: int = Field(default=1, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    # A verified token is remembered in Redis this long; revocation writes a tombstone that wins.
    access_token_cache_seconds: int = Field(default=60, ge=0, le=3600)
    access_token_max_days: int = Field(default=365, ge=1, le=3650)
    access_tokens_per_user: int = Field(default=50, ge=1)

    # The built web app served at / (web_app.py); without a build / answers 503 with how to build it.
    web_root: str = DEFAULT_WEB_ROOT
    # The S3 public endpoint (the services' S3_PUBLIC_ENDPOINT_URL, else S3_ENDPOINT_URL): the app
    # loads vehicle images from it and uploads to it, so its Content-Security-Policy must allow it.
    web_storage_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+/?$")

    @field_validator("auth0_domain", mode="before")
    @classmethod
    def _bare_domain(cls, value: object) -> object:
        # Accept "tenant.auth0.com", "https://tenant.auth0.com/" alike; URLs are derived from it.
        if isinstance(value, str):
            value = value.strip().removeprefix("https://").rstrip("/") or None
            if value is not None and not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", value):
                raise ValueError("must be a host name such as tenant.eu.auth0.com")
        return value

    @field_validator("jwks_url", "jwt_issuer", "database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("jwks_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not _BASE_URL.match(value):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("dev_issuer")
    @classmethod
    def _some_issuer(cls, value: bool, info: ValidationInfo) -> bool:
        if not (value or info.data.get("jwks_url") or info.data.get("auth0_domain")):
            raise ValueError(
                "no token issuer configured: set EDGE_AUTH0_DOMAIN or EDGE_JWKS_URL, "
                "or EDGE_DEV_ISSUER=true for local runs"
            )
        return value

    @field_validator("jwt_issuer")
    @classmethod
    def _issuer_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        derivable = info.data.get("auth0_domain") or info.data.get("dev_issuer")
        if value is None and info.data.get("jwks_url") and not derivable:
            raise ValueError("is required when EDGE_JWKS_URL is set without EDGE_AUTH0_DOMAIN")
        return value

    @field_validator(*(f"upstream_{name}" for name in UPSTREAM_NAMES))
    @classmethod
    def _base_urls(cls, value: str | None) -> str | None:
        return None if value is None else base_url_list(value)

    @field_validator("pools")
    @classmethod
    def _pool_urls(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: base_url_list(urls) for name, urls in value.items()}

    @model_validator(mode="after")
    def _derive_auth_urls(self) -> "EdgeSettings":
        if self.auth0_domain:
            self._default("jwks_url", f"https://{self.auth0_domain}/.well-known/jwks.json")
            self._default("jwt_issuer", f"https://{self.auth0_domain}/")
        if self.dev_issuer:
            self._default("jwks_url", self.dev_base_url + ".well-known/jwks.json")
            self._default("jwt_issuer", self.dev_base_url)
        return self

    @property
    def access_tokens_enabled(self) -> bool:
        return self.database_url is not None

    def _default(self, name: str, value: str) -> None:
        # The model is frozen; filling a derived default during validation is the one exception.
        if getattr(self, name) is None:
            object.__setattr__(self, name, value)

    @property
    def dev_base_url(self) -> str:
        """Where this process serves the dev issuer; a wildcard bind address is reached via loopback."""
        host = "127.0.0.1" if self.host in _WILDCARD_HOSTS else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/dev/"

    def auth0_allowed_redirect_list(self) -> list[str]:
        allowed = [uri.strip() for uri in self.auth0_allowed_redirects.split(",") if uri.strip()]
        if self.auth0_redirect_uri:
            allowed.append(self.auth0_redirect_uri)
        return allowed

    def upstream_urls(self) -> dict[str, list[str]]:
        """Pool overrides from the environment (they win over the route table file)."""
        overrides = {name: urls.split(",") for name, urls in self.pools.items()}
        for name in UPSTREAM_NAMES:
            value = getattr(self, f"upstream_{name}")
            if value is not None:
                overrides[name] = value.split(",")
        return overrides


def base_url_list(value: str) -> str:
    urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
    if not urls:
        raise ValueError("needs at least one base URL")
    for url in urls:
        if not _BASE_URL.match(url):
            raise ValueError(f"{url!r} is not an http(s) base URL")
    return ",".join(urls)
