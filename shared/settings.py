"""Service settings read from environment variables, one prefix per service, validated at start.

Each service subclasses `ServiceSettings` with `model_config = settings_config("VEHICLES_")`.
`load_settings` turns a validation failure into a message naming every bad variable and exits,
so a misconfigured container stops at once instead of failing on its first request.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeVar

from pydantic import Field, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from .storage import StorageSettings

T = TypeVar("T", bound=BaseSettings)


def settings_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, frozen=True, extra="ignore")


class ServiceSettings(BaseSettings):
    """What every service needs: where it listens, its identity secret and its limits."""

    host: str = "0.0.0.0"
    port: int = Field(ge=1, le=65535)
    # Shared with the edge: services accept only requests carrying an assertion signed with it.
    identity_secret: SecretStr = Field(min_length=32)
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    shutdown_timeout: float = Field(default=10.0, gt=0)


class BackedServiceSettings(ServiceSettings):
    """A feature service: its own database, the shared Redis and broker, object storage."""

    database_url: str = Field(pattern=r"^postgres(ql)?://")
    # Local runs only: create the database if it does not exist yet.
    create_database: bool = False
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)
    redis_url: str = Field(pattern=r"^rediss?://")
    redis_prefix: str = "mv:"
    # Shared with the edge: where its response cache and the users' version tokens live.
    edge_cache_prefix: str = "mv:edge-cache:"
    amqp_url: str = Field(pattern=r"^amqps?://")
    events_exchange: str = "motovault.events"
    consumer_prefetch: int = Field(default=32, ge=1)
    # Delays between handler retries, in milliseconds; their count is the number of retries.
    retry_delays_ms: list[PositiveInt] = Field(default=[1_000, 5_000, 30_000], min_length=1)
    outbox_poll_interval: float = Field(default=1.0, gt=0)
    outbox_max_backoff: float = Field(default=10.0, gt=0)
    publish_timeout: float = Field(default=5.0, gt=0)
    # How long a consumer remembers a handled event (its inbox row) to recognise a redelivery, and
    # how often it forgets older ones (shared/events/inbox_sweeper.py). At least an hour: a lost
    # acknowledgement is redelivered when the consumer reconnects, which a shorter one could outlast.
    inbox_retention_hours: float = Field(default=168.0, ge=1)
    inbox_sweep_interval: float = Field(default=3600.0, gt=0)


class OdometerGuardSettings(BaseSettings):
    """Mixed into the settings of a service that takes odometer readings in its writes."""

    # A reading implying more miles per day than this since the vehicle's previous one is refused
    # (409) unless the body confirms it (confirmOdometer): most likely a typo.
    max_daily_distance: int = Field(default=1500, gt=0, le=100_000)
    # Off: every reading is taken as if confirmed. For clients that cannot confirm (the old app's
    # frontend, which never sends confirmOdometer) and for loads that replay history out of order.
    odometer_check: bool = True

    @property
    def odometer_bound(self) -> int | None:
        """The daily bound a write is checked against; None: not checked."""
        return self.max_daily_distance if self.odometer_check else None


class ObjectStorageSettings(BaseSettings):
    """Mixed into the settings of a service that stores files."""

    s3_endpoint_url: str | None = None  # None: AWS itself
    # What clients reach; presigned URLs are signed for it (differs from the internal one in containers).
    s3_public_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key: str
    s3_secret_key: SecretStr
    s3_bucket: str = Field(min_length=3, max_length=63)

    def storage(self) -> "StorageSettings":
        from .storage import StorageSettings

        return StorageSettings(
            endpoint_url=self.s3_endpoint_url,
            public_endpoint_url=self.s3_public_endpoint_url,
            region=self.s3_region,
            access_key=self.s3_access_key,
            secret_key=self.s3_secret_key,
            bucket=self.s3_bucket,
        )


def load_settings(cls: type[T]) -> T:
    """Read settings from the environment, or exit naming each missing or malformed variable."""
    try:
        return cls()
    except ValidationError as exc:
        sys.exit(describe_invalid_settings(cls, exc))


def describe_invalid_settings(cls: type[BaseSettings], exc: ValidationError) -> str:
    prefix = cls.model_config.get("env_prefix", "")
    lines = [f"Invalid configuration for {cls.__name__}:"]
    for error in exc.errors():
        variable = prefix + "_".join(str(part) for part in error["loc"][:1]).upper()
        reason = "is required but not set" if error["type"] == "missing" else error["msg"]
        lines.append(f"  {variable}: {reason}")
    return "\n".join(lines)
