"""Configuration of the edge gateway, read from EDGE_* variables and validated at start.

Auth settings resolve to one JWKS URL and one issuer: an explicit EDGE_JWKS_URL / EDGE_JWT_ISSUER
wins, then values derived from EDGE_AUTH0_DOMAIN, then the local dev issuer's own URLs. Auth0
comes before the dev issuer on purpose: if the dev issuer is switched on by mistake next to a
real tenant, its tokens do not verify.
"""

from __future__ import annotations

import re

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.settings import ServiceSettings, settings_config

UPSTREAM_NAMES = ("vehicles", "fuel_logs", "stations", "maintenance")
_BASE_URL = re.compile(r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}


class EdgeSettings(ServiceSettings):
    model_config = settings_config("EDGE_")

    port: int = Field(default=8080, ge=1, le=65535)
    # Only /ready uses Redis for now; rate limits and the response cache will share it.
    redis_url: str = Field(pattern=r"^rediss?://")
    redis_prefix: str = "mv:edge:"

    # Identity provider. Field order matters: validators of later fields read earlier ones.
    auth0_domain: str | None = None
    jwks_url: str | None = None
    dev_issuer: bool = Field(default=False, validate_default=True)
    jwt_issuer: str | None = Field(default=None, validate_default=True)
    jwt_audience: str = Field(default="https://api.motovault.local", min_length=1)
    dev_issuer_key_file: str | None = None
    jwt_leeway: int = Field(default=30, ge=0, le=300)
    jwks_cache_ttl: float = Field(default=600.0, gt=0)
    # Least time between two JWKS fetches, so tokens with made-up kids cannot hammer the issuer.
    jwks_refetch_cooldown: float = Field(default=10.0, ge=0)
    jwks_fetch_timeout: float = Field(default=5.0, gt=0)

    # Base URLs of the services; a comma-separated list names several instances (round-robin).
    upstream_vehicles: str = "http://127.0.0.1:8081"
    upstream_fuel_logs: str = "http://127.0.0.1:8082"
    upstream_stations: str = "http://127.0.0.1:8083"
    upstream_maintenance: str = "http://127.0.0.1:8084"
    # Until the upstream's response headers arrive; afterwards the same value bounds each read.
    upstream_timeout: float = Field(default=30.0, gt=0)
    upstream_connect_timeout: float = Field(default=2.0, gt=0)
    upstream_pool_size: int = Field(default=512, ge=1)
    health_probe_timeout: float = Field(default=2.0, gt=0)

    @field_validator("auth0_domain", mode="before")
    @classmethod
    def _bare_domain(cls, value: object) -> object:
        # Accept "tenant.auth0.com", "https://tenant.auth0.com/" alike; URLs are derived from it.
        if isinstance(value, str):
            value = value.strip().removeprefix("https://").rstrip("/") or None
            if value is not None and not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", value):
                raise ValueError("must be a host name such as tenant.eu.auth0.com")
        return value

    @field_validator("jwks_url", "jwt_issuer", mode="before")
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
    def _base_urls(cls, value: str) -> str:
        urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
        if not urls:
            raise ValueError("needs at least one base URL")
        for url in urls:
            if not _BASE_URL.match(url):
                raise ValueError(f"{url!r} is not an http(s) base URL")
        return ",".join(urls)

    @model_validator(mode="after")
    def _derive_auth_urls(self) -> "EdgeSettings":
        if self.auth0_domain:
            self._default("jwks_url", f"https://{self.auth0_domain}/.well-known/jwks.json")
            self._default("jwt_issuer", f"https://{self.auth0_domain}/")
        if self.dev_issuer:
            self._default("jwks_url", self.dev_base_url + ".well-known/jwks.json")
            self._default("jwt_issuer", self.dev_base_url)
        return self

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

    def upstream_urls(self) -> dict[str, list[str]]:
        return {name: getattr(self, f"upstream_{name}").split(",") for name in UPSTREAM_NAMES}
